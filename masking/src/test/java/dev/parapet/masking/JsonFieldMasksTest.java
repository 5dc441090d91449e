package dev.parapet.masking;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.masking.ColumnType.Family;
import dev.parapet.masking.MaskAction.JsonFields;
import dev.parapet.masking.MaskAction.WholeValue;
import dev.parapet.masking.MaskStrategy.Fixed;
import dev.parapet.masking.MaskStrategy.KeyedHash;
import dev.parapet.masking.MaskStrategy.Nullify;
import dev.parapet.masking.MaskStrategy.Redact;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Key-aware masking of JSON made from whole rows ({@link JsonFields}), through {@link CellMasker}. */
class JsonFieldMasksTest {

    private static final CellMasker MASKER = new CellMasker();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ColumnType JSON_TYPE = ColumnType.of(Family.JSON);
    private static final JsonFields DEFAULTS = JsonFields.allWithDefaults();
    private static final MaskingKey KEY = MaskingKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    /** {@code row_to_json(c)} of one customer. */
    private static final String CUSTOMER = "{\"id\":1,\"full_name\":\"Ann Lee\",\"email\":\"ann@example.com\","
            + "\"phone\":\"+1 650 555 1234\",\"date_of_birth\":\"1990-04-01\",\"city\":\"Paris\","
            + "\"notes\":\"call ann@example.com\"}";

    private static MaskedCell mask(String value, ColumnType type, MaskAction action) {
        return MASKER.mask(value.getBytes(StandardCharsets.UTF_8), type, action);
    }

    /** The replacement text; fails when the cell was left alone or nulled. */
    private static String masked(String value, ColumnType type, MaskAction action) {
        MaskedCell cell = mask(value, type, action);
        assertThat(cell).isInstanceOf(MaskedCell.Replaced.class);
        return ((MaskedCell.Replaced) cell).text();
    }

    private static JsonNode maskedDocument(String value, MaskAction action) throws Exception {
        return JSON.readTree(masked(value, JSON_TYPE, action));
    }

    private static List<String> keys(JsonNode object) {
        List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static JsonFields with(DataClass c, MaskStrategy s) {
        Map<DataClass, MaskStrategy> strategies = new EnumMap<>(DEFAULTS.strategies());
        strategies.put(c, s);
        return new JsonFields(strategies);
    }

    @Test
    void masksMembersWhoseKeyIsSensitiveWithTheirClassDefault() throws Exception {
        JsonNode out = maskedDocument(CUSTOMER, DEFAULTS);
        assertThat(out.get("full_name").asText()).isEqualTo("A*** L***");
        assertThat(out.get("email").asText()).isEqualTo("****@example.com");
        assertThat(out.get("phone").asText()).isEqualTo("+* *** *** 1234");
        assertThat(out.get("date_of_birth").asText()).isEqualTo("1990-**-**");
    }

    @Test
    void keepsHarmlessMembersKeysAndTheirOrder() throws Exception {
        JsonNode out = maskedDocument(CUSTOMER, DEFAULTS);
        assertThat(keys(out)).containsExactly("id", "full_name", "email", "phone", "date_of_birth", "city", "notes");
        assertThat(out.get("id").isInt()).isTrue();
        assertThat(out.get("id").asInt()).isEqualTo(1);
        assertThat(out.get("city").asText()).isEqualTo("Paris");
    }

    @Test
    void masksEmailInsideAFreeTextMember() throws Exception {
        assertThat(maskedDocument(CUSTOMER, DEFAULTS).get("notes").asText()).isEqualTo("call ****@example.com");
    }

    @Test
    void masksEveryRowOfAJsonAggArray() throws Exception {
        String agg = "[" + CUSTOMER + ",\n " + CUSTOMER.replace("Ann Lee", "Bob Roe").replace("\"id\":1", "\"id\":2") + "]";
        JsonNode out = maskedDocument(agg, DEFAULTS);
        assertThat(out.isArray()).isTrue();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).get("full_name").asText()).isEqualTo("A*** L***");
        assertThat(out.get(1).get("full_name").asText()).isEqualTo("B*** R***");
        assertThat(out.get(1).get("id").asInt()).isEqualTo(2);
        assertThat(out.get(1).get("email").asText()).isEqualTo("****@example.com");
    }

    @Test
    void masksSensitiveKeysInNestedObjects() throws Exception {
        String doc = "{\"order\":{\"id\":7,\"customer\":{\"first_name\":\"Ann\",\"dob\":\"1990-04-01\",\"tier\":\"gold\"},"
                + "\"lines\":[{\"sku\":\"A-1\",\"qty\":2}]}}";
        JsonNode out = maskedDocument(doc, DEFAULTS);
        JsonNode customer = out.get("order").get("customer");
        assertThat(customer.get("first_name").asText()).isEqualTo("A***");
        assertThat(customer.get("dob").asText()).isEqualTo("1990-**-**");
        assertThat(customer.get("tier").asText()).isEqualTo("gold");
        assertThat(out.get("order").get("lines").get(0).get("qty").asInt()).isEqualTo(2);
        assertThat(out.get("order").get("id").asInt()).isEqualTo(7);
    }

    @Test
    void redactsAnObjectOrArrayUnderASensitiveKeyAsOneValue() throws Exception {
        String doc = "{\"id\":3,\"address\":{\"street\":\"1 Main St\",\"city\":\"Paris\"},\"phones\":[\"+1 650 555 1234\"]}";
        JsonNode out = maskedDocument(doc, DEFAULTS);
        assertThat(out.get("address").isTextual()).isTrue();
        assertThat(out.get("address").asText()).isEqualTo("****");
        assertThat(out.get("phones").asText()).isEqualTo("****");
        assertThat(out.get("id").asInt()).isEqualTo(3);
    }

    @Test
    void masksANumericPhoneAsANumber() throws Exception {
        JsonNode out = maskedDocument("{\"phone\":6505551234,\"qty\":6505551234}", DEFAULTS);
        assertThat(out.get("phone").isNumber()).isTrue();
        assertThat(out.get("phone").asLong()).isEqualTo(1234);
        assertThat(out.get("qty").asLong()).isEqualTo(6505551234L);
    }

    @Test
    void keepsNullsBooleansAndNumbersAsWritten() throws Exception {
        String doc = "{\"email\":null,\"active\":true,\"score\":1.50,\"big\":123456789012345678901234567890,\"tiny\":1e-400,"
                + "\"full_name\":\"Ann\"}";
        String out = masked(doc, JSON_TYPE, DEFAULTS);
        assertThat(out).isEqualTo("{\"email\":null,\"active\":true,\"score\":1.50,\"big\":123456789012345678901234567890,"
                + "\"tiny\":1e-400,\"full_name\":\"A***\"}");
    }

    @Test
    void documentWithNothingSensitiveIsUnchanged() {
        String products = "[{\"id\":1,\"name\":\"Lamp\",\"price\":19.9,\"tags\":[\"home\",\"light\"],\"discontinued\":false},"
                + "{\"id\":2,\"name\":\"Desk\",\"price\":120,\"tags\":[],\"meta\":null}]";
        assertThat(mask(products, JSON_TYPE, DEFAULTS)).isSameAs(MaskedCell.UNCHANGED);
        assertThat(mask("{\"city\":\"Paris\"}", ColumnType.text(), DEFAULTS)).isSameAs(MaskedCell.UNCHANGED);
    }

    @Test
    void nullSensitiveMemberAloneLeavesTheDocumentUnchanged() {
        assertThat(mask("{\"id\":1,\"email\":null}", JSON_TYPE, DEFAULTS)).isSameAs(MaskedCell.UNCHANGED);
    }

    @Test
    void redactsARecordLiteralWhole() {
        String record = "(1,\"Ann Lee\",ann@x.com)";
        assertThat(masked(record, ColumnType.text(), DEFAULTS)).isEqualTo("****");
        // A record type has no redacted text form: NULL, as for any whole value of such a type.
        assertThat(mask(record, ColumnType.of(Family.OTHER), DEFAULTS)).isSameAs(MaskedCell.NULL);
    }

    @Test
    void redactsTextThatIsNotExactlyOneDocument() {
        assertThat(masked("{\"full_name\":\"Ann\"", ColumnType.text(), DEFAULTS)).isEqualTo("****");
        assertThat(masked("{\"city\":\"Paris\"} trailing", ColumnType.text(), DEFAULTS)).isEqualTo("****");
        assertThat(masked("{\"city\":\"Paris\"} {\"city\":\"Rome\"}", ColumnType.text(), DEFAULTS)).isEqualTo("****");
        assertThat(masked("Ann Lee", ColumnType.text(), DEFAULTS)).isEqualTo("****");
        assertThat(masked("", ColumnType.text(), DEFAULTS)).isEqualTo("****");
        assertThat(masked("{'full_name':'Ann'}", ColumnType.text(), DEFAULTS)).isEqualTo("****");
    }

    @Test
    void documentThatOutgrowsItsVarcharWhenMaskedIsRedacted() {
        // {"full_name":"A***"} is 20 characters: cutting it would leave broken JSON.
        assertThat(masked("{\"full_name\":\"Al\"}", ColumnType.varchar(18), DEFAULTS)).isEqualTo("****");
        assertThat(masked("{\"full_name\":\"Al\"}", ColumnType.varchar(20), DEFAULTS)).isEqualTo("{\"full_name\":\"A***\"}");
    }

    @Test
    void invalidJsonInAJsonColumnBecomesNull() {
        assertThat(mask("{\"full_name\":", JSON_TYPE, DEFAULTS)).isSameAs(MaskedCell.NULL);
    }

    @Test
    void unicodeAndEscapedStringsSurvive() throws Exception {
        String doc = "{\"full_name\":\"Élodie 𝔄lva\",\"city\":\"Zürich \\u00e9 🙂\",\"quote\":\"say \\\"hi\\\"\\n\\ttab\\\\\","
                + "\"notes\":\"line one\\nmail élodie@exämple.com or ann@example.com\\u0021\",\"ctl\":\"\\u0001\"}";
        String text = masked(doc, JSON_TYPE, DEFAULTS);
        assertThat(text).contains("Zürich é 🙂"); // written as UTF-8, as the server does, not as escapes
        JsonNode out = JSON.readTree(text);
        assertThat(out.get("full_name").asText()).isEqualTo("É*** 𝔄***");
        assertThat(out.get("city").asText()).isEqualTo("Zürich é 🙂");
        assertThat(out.get("quote").asText()).isEqualTo("say \"hi\"\n\ttab\\");
        assertThat(out.get("notes").asText()).startsWith("line one\nmail ").endsWith("****@example.com!")
                .doesNotContain("ann@");
        assertThat(out.get("ctl").asText()).isEqualTo("\u0001");
    }

    @Test
    void loneSurrogateEscapeStaysAnEscape() throws Exception {
        String out = masked("{\"full_name\":\"Ann\",\"x\":\"\\ud800\"}", JSON_TYPE, DEFAULTS);
        assertThat(out).isEqualToIgnoringCase("{\"full_name\":\"A***\",\"x\":\"\\ud800\"}");
        assertThat(JSON.readTree(out).get("x").asText()).isEqualTo("\ud800");
    }

    @Test
    void findsContentHiddenBehindEscapes() throws Exception {
        // Raw bytes hold no '@': only the decoded string shows the address.
        JsonNode out = maskedDocument("{\"notes\":\"write to ann\\u0040example.com\"}", DEFAULTS);
        assertThat(out.get("notes").asText()).isEqualTo("write to ****@example.com");
    }

    @Test
    void leavesDatesAndTimesAloneButScansTextThatMerelyStartsWithOne() throws Exception {
        String doc = "{\"created_at\":\"2023-05-17T09:12:44.123456+00:00\",\"day\":\"2023-05-17\",\"at\":\"09:12:44+02\","
                + "\"log\":\"2023-05-17T09:12:44+00:00 call +1 650 555 1234\"}";
        JsonNode out = maskedDocument(doc, DEFAULTS);
        assertThat(out.get("created_at").asText()).isEqualTo("2023-05-17T09:12:44.123456+00:00");
        assertThat(out.get("day").asText()).isEqualTo("2023-05-17");
        assertThat(out.get("at").asText()).isEqualTo("09:12:44+02");
        assertThat(out.get("log").asText()).startsWith("2023-05-17T09:12:44+00:00 call ").endsWith("1234").doesNotContain("650 555");
    }

    @Test
    void recognisesTheDateAndTimeFormsTheServerWrites() {
        for (String s : new String[] {"2023-05-17", "2023-05-17T09:12:44", "2023-05-17T09:12:44.123456+00:00",
                "2023-05-17 09:12:44+02", "2023-05-17T09:12:44Z", "1890-01-01T00:00:00+00:09:21", "09:12", "09:12:44.5-0330"}) {
            assertThat(JsonFieldMasks.isDateOrTime(s.toCharArray(), 0, s.length())).as(s).isTrue();
        }
        for (String s : new String[] {"", "2023-05-17x", "2023-05-17T", "2023-05-17T09:12:44.+00", "+1 650 555 1234",
                "2023-05-17T09:12:44+00:00 +1 650 555 1234", "12:30 +1 650 555 1234", "09:12:44+0", "2023-5-17"}) {
            assertThat(JsonFieldMasks.isDateOrTime(s.toCharArray(), 0, s.length())).as(s).isFalse();
        }
    }

    @Test
    void masksKeysWrittenInAnyCase() throws Exception {
        JsonNode out = maskedDocument("{\"EmailAddress\":\"ann@example.com\",\"lastName\":\"Lee\"}", DEFAULTS);
        assertThat(out.get("EmailAddress").asText()).isEqualTo("****@example.com");
        assertThat(out.get("lastName").asText()).isEqualTo("L***");
    }

    @Test
    void keyedHashGivesTheSameOutputForTheSameInput() throws Exception {
        JsonFields hashed = new JsonFields(everyClass(new KeyedHash(KEY)));
        String first = masked(CUSTOMER, JSON_TYPE, hashed);
        assertThat(masked(CUSTOMER, JSON_TYPE, hashed)).isEqualTo(first);
        JsonNode out = JSON.readTree(first);
        assertThat(first).doesNotContain("ann@example.com").doesNotContain("Ann Lee").doesNotContain("1990-04-01");
        // The same pseudonym as the e-mail column masked whole: rows still join.
        String column = ((MaskedCell.Replaced) mask("ann@example.com", ColumnType.text(),
                new WholeValue(DataClass.EMAIL, new KeyedHash(KEY)))).text();
        assertThat(out.get("email").asText()).isEqualTo(column);
        assertThat(out.get("notes").asText()).isEqualTo("call " + column);
        assertThat(out.get("city").asText()).isEqualTo("Paris");
    }

    @Test
    void nullifyNullsTheMemberNotTheCell() throws Exception {
        JsonNode out = maskedDocument(CUSTOMER, with(DataClass.EMAIL, new Nullify()));
        assertThat(out.get("email").isNull()).isTrue();
        assertThat(out.get("notes").isNull()).isTrue();
        assertThat(out.get("full_name").asText()).isEqualTo("A*** L***");
        assertThat(out.get("city").asText()).isEqualTo("Paris");
    }

    @Test
    void fixedValueIsWrittenAsAnEscapedString() throws Exception {
        JsonNode out = maskedDocument("{\"phone\":6505551234,\"password\":\"x\",\"address\":[1]}",
                new JsonFields(everyClass(new Fixed("say \"no\"\n"))));
        assertThat(out.get("phone").asText()).isEqualTo("say \"no\"\n");
        assertThat(out.get("password").asText()).isEqualTo("say \"no\"\n");
        assertThat(out.get("address").asText()).isEqualTo("say \"no\"\n");
    }

    @Test
    void classesLeftOutOfTheActionAreNotMasked() throws Exception {
        JsonFields emailOnly = new JsonFields(Map.of(DataClass.EMAIL, new Redact()));
        JsonNode out = maskedDocument(CUSTOMER, emailOnly);
        assertThat(out.get("email").asText()).isEqualTo("****");
        assertThat(out.get("notes").asText()).isEqualTo("call ****");
        assertThat(out.get("full_name").asText()).isEqualTo("Ann Lee");
        assertThat(out.get("phone").asText()).isEqualTo("+1 650 555 1234");
        assertThat(mask(CUSTOMER, JSON_TYPE, new JsonFields(Map.of()))).isSameAs(MaskedCell.UNCHANGED);
    }

    @Test
    void masksARootStringByContent() throws Exception {
        assertThat(JSON.readTree(masked("\"ann@example.com\"", JSON_TYPE, DEFAULTS)).asText()).isEqualTo("****@example.com");
        assertThat(mask("42", JSON_TYPE, DEFAULTS)).isSameAs(MaskedCell.UNCHANGED);
    }

    @Test
    void deeplyNestedDocumentIsRedactedRatherThanSentUnread() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThat(masked(deep, ColumnType.text(), DEFAULTS)).isEqualTo("****");
    }

    @Test
    void masksAtAnOffsetInsideALargerBuffer() throws Exception {
        byte[] row = ("xx" + CUSTOMER + "yy").getBytes(StandardCharsets.UTF_8);
        MaskedCell cell = MASKER.mask(row, 2, row.length - 4, JSON_TYPE, DEFAULTS);
        JsonNode out = JSON.readTree(((MaskedCell.Replaced) cell).text());
        assertThat(out.get("email").asText()).isEqualTo("****@example.com");
        assertThat(out.get("city").asText()).isEqualTo("Paris");
    }

    private static Map<DataClass, MaskStrategy> everyClass(MaskStrategy s) {
        Map<DataClass, MaskStrategy> all = new EnumMap<>(DataClass.class);
        for (DataClass c : DataClass.values()) {
            all.put(c, s);
        }
        return all;
    }

    @Test
    void aBareNameIsAPersonsNameInRowsOfATableOfPeople() throws Exception {
        String row = "{\"id\":7,\"name\":\"Ann Lee\",\"sku\":\"A-1\"}";
        assertThat(mask(row, JSON_TYPE, DEFAULTS)).as("whose rows, nobody says").isEqualTo(MaskedCell.UNCHANGED);
        JsonNode customers = maskedDocument(row, new JsonFields(DEFAULTS.strategies(), "customers"));
        assertThat(customers.get("name").asText()).isNotEqualTo("Ann Lee");
        assertThat(customers.get("sku").asText()).isEqualTo("A-1");
        assertThat(mask(row, JSON_TYPE, new JsonFields(DEFAULTS.strategies(), "products")))
                .as("a product's name is not personal").isEqualTo(MaskedCell.UNCHANGED);
    }
}
