package dev.parapet.masking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.masking.ColumnType.Family;
import dev.parapet.masking.ColumnType.Nullability;
import dev.parapet.masking.MaskAction.ScanContent;
import dev.parapet.masking.MaskAction.WholeValue;
import dev.parapet.masking.MaskStrategy.Fixed;
import dev.parapet.masking.MaskStrategy.KeyedHash;
import dev.parapet.masking.MaskStrategy.Nullify;
import dev.parapet.masking.MaskStrategy.Partial;
import dev.parapet.masking.MaskStrategy.Redact;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CellMaskerTest {

    private static final CellMasker MASKER = new CellMasker();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MaskingKey KEY = MaskingKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    private static final MaskingKey OTHER_KEY = MaskingKey.of("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8));

    private static MaskedCell mask(String value, ColumnType type, MaskAction action) {
        return MASKER.mask(value.getBytes(StandardCharsets.UTF_8), type, action);
    }

    /** The replacement text; fails when the cell was left alone or nulled. */
    private static String masked(String value, ColumnType type, MaskAction action) {
        MaskedCell cell = mask(value, type, action);
        assertThat(cell).isInstanceOf(MaskedCell.Replaced.class);
        return ((MaskedCell.Replaced) cell).text();
    }

    private static String whole(String value, ColumnType type, DataClass c, MaskStrategy s) {
        return masked(value, type, new WholeValue(c, s));
    }

    private static String scanned(String value, ColumnType type) {
        return masked(value, type, ScanContent.allWithDefaults());
    }

    // --- strategies on text

    @Test
    void redactsWholeValue() {
        assertThat(whole("jane@example.com", ColumnType.text(), DataClass.EMAIL, new Redact())).isEqualTo("****");
    }

    @Test
    void partialKeepsTheEmailDomain() {
        assertThat(whole("jane@example.com", ColumnType.text(), DataClass.EMAIL, new Partial())).isEqualTo("****@example.com");
    }

    @Test
    void partialKeepsLastFourDigitsAndTheSeparators() {
        assertThat(whole("4111-1111-1111-1234", ColumnType.text(), DataClass.CARD_NUMBER, new Partial()))
                .isEqualTo("****-****-****-1234");
        assertThat(whole("+1 650-253-0000", ColumnType.text(), DataClass.PHONE, new Partial())).isEqualTo("+* ***-***-0000");
        assertThat(whole("123", ColumnType.text(), DataClass.PHONE, new Partial())).isEqualTo("****");
    }

    @Test
    void partialKeepsTheFirstLetterOfEachName() {
        assertThat(whole("Jane Smith", ColumnType.text(), DataClass.PERSON_NAME, new Partial())).isEqualTo("J*** S***");
        assertThat(whole("Élodie 𝔄lva", ColumnType.text(), DataClass.PERSON_NAME, new Partial())).isEqualTo("É*** 𝔄***");
    }

    @Test
    void partialKeepsTheYearOfABirthDateWrittenAsText() {
        assertThat(whole("15/03/1984", ColumnType.text(), DataClass.BIRTH_DATE, new Partial())).isEqualTo("**/**/1984");
    }

    @Test
    void partialRedactsSecretsAndAddresses() {
        assertThat(whole("hunter2", ColumnType.text(), DataClass.SECRET, new Partial())).isEqualTo("****");
        assertThat(whole("1 Main St", ColumnType.text(), DataClass.ADDRESS, new Partial())).isEqualTo("****");
    }

    @Test
    void fixedValueReplacesText() {
        assertThat(whole("jane@example.com", ColumnType.text(), DataClass.EMAIL, new Fixed("hidden"))).isEqualTo("hidden");
    }

    @Test
    void nullifyGivesNullButRedactsInANotNullColumn() {
        assertThat(mask("x@y.io", ColumnType.text(), new WholeValue(DataClass.EMAIL, new Nullify()))).isEqualTo(MaskedCell.NULL);
        assertThat(whole("x@y.io", ColumnType.text().withNullability(Nullability.NOT_NULL), DataClass.EMAIL, new Nullify()))
                .isEqualTo("****");
    }

    // --- keyed hash

    @Test
    void keyedHashIsDeterministicAndKeyDependent() {
        String a = whole("jane@example.com", ColumnType.text(), DataClass.EMAIL, new KeyedHash(KEY));
        String b = whole("jane@example.com", ColumnType.text(), DataClass.EMAIL, new KeyedHash(KEY));
        String other = whole("jane@example.com", ColumnType.text(), DataClass.EMAIL, new KeyedHash(OTHER_KEY));
        String otherValue = whole("john@example.com", ColumnType.text(), DataClass.EMAIL, new KeyedHash(KEY));
        assertThat(a).isEqualTo(b).endsWith("@masked.invalid").doesNotContain("jane");
        assertThat(other).isNotEqualTo(a);
        assertThat(otherValue).isNotEqualTo(a);
    }

    @Test
    void keyedHashJoinsValuesWrittenDifferently() {
        assertThat(whole("Jane@Example.com ", ColumnType.text(), DataClass.EMAIL, new KeyedHash(KEY)))
                .isEqualTo(whole("jane@example.com", ColumnType.text(), DataClass.EMAIL, new KeyedHash(KEY)));
        // A card keeps its layout; the same digits give the same pseudonym digits.
        String spaced = whole("4111 1111 1111 1111", ColumnType.text(), DataClass.CARD_NUMBER, new KeyedHash(KEY));
        String plain = whole("4111111111111111", ColumnType.text(), DataClass.CARD_NUMBER, new KeyedHash(KEY));
        assertThat(spaced).matches("\\d{4} \\d{4} \\d{4} \\d{4}");
        assertThat(spaced.replace(" ", "")).isEqualTo(plain);
    }

    @Test
    void keyedHashFoundInTextMatchesTheWholeColumnPseudonym() {
        ScanContent scan = new ScanContent(Map.of(DataClass.EMAIL, new KeyedHash(KEY)));
        String column = whole("jane@example.com", ColumnType.text(), DataClass.EMAIL, new KeyedHash(KEY));
        assertThat(masked("ask jane@example.com", ColumnType.text(), scan)).isEqualTo("ask " + column);
    }

    @Test
    void keyedHashKeepsTheIbanCountry() {
        assertThat(whole("DE89370400440532013000", ColumnType.text(), DataClass.IBAN, new KeyedHash(KEY)))
                .startsWith("DE").hasSize(22).isNotEqualTo("DE89370400440532013000");
    }

    @Test
    void keyFromConfiguredSecretMatchesTheSameBytes() {
        MaskingKey fromSecret = MaskingKey.of(new dev.parapet.config.Secret("0123456789abcdef0123456789abcdef"));
        assertThat(whole("a@b.io", ColumnType.text(), DataClass.EMAIL, new KeyedHash(fromSecret)))
                .isEqualTo(whole("a@b.io", ColumnType.text(), DataClass.EMAIL, new KeyedHash(KEY)));
    }

    @Test
    void refusesAShortKey() {
        assertThatThrownBy(() -> MaskingKey.of(new byte[8])).isInstanceOf(IllegalArgumentException.class);
        assertThat(KEY.toString()).doesNotContain("0123");
    }

    // --- type validity

    @ParameterizedTest
    @EnumSource(value = MaskStrategyKind.class)
    void maskedDateIsADate(MaskStrategyKind kind) {
        String date = whole("1984-03-15", ColumnType.of(Family.DATE), DataClass.BIRTH_DATE, kind.strategy);
        assertThat(LocalDate.parse(date)).isNotEqualTo(LocalDate.of(1984, 3, 15));
    }

    @Test
    void partialBirthDateKeepsTheYear() {
        assertThat(whole("1984-03-15", ColumnType.of(Family.DATE), DataClass.BIRTH_DATE, new Partial())).isEqualTo("1984-01-01");
        assertThat(whole("0044-03-15 BC", ColumnType.of(Family.DATE), DataClass.BIRTH_DATE, new Partial())).isEqualTo("1900-01-01");
    }

    @ParameterizedTest
    @EnumSource(value = MaskStrategyKind.class)
    void maskedTimestampsAndTimesParse(MaskStrategyKind kind) {
        String ts = whole("2021-06-01 12:34:56.789", ColumnType.of(Family.TIMESTAMP), DataClass.BIRTH_DATE, kind.strategy);
        assertThat(LocalDateTime.parse(ts.replace(' ', 'T'))).isNotNull();
        String tz = whole("2021-06-01 12:34:56+02", ColumnType.of(Family.TIMESTAMP_TZ), DataClass.BIRTH_DATE, kind.strategy);
        assertThat(tz).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\+00");
        assertThat(LocalDateTime.parse(tz.substring(0, 19).replace(' ', 'T'))).isNotNull();
        String time = whole("12:34:56", ColumnType.of(Family.TIME), DataClass.SECRET, kind.strategy);
        assertThat(LocalTime.parse(time)).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(value = MaskStrategyKind.class)
    void maskedIntegerStaysWithinItsWidth(MaskStrategyKind kind) {
        for (int bytes : new int[] {1, 2, 4, 8}) {
            ColumnType type = ColumnType.integer(bytes);
            long value = Long.parseLong(whole("4111111111111111", type, DataClass.CARD_NUMBER, kind.strategy));
            assertThat(value).isBetween(0L, TypedMasks.maxInteger(type));
        }
        assertThat(whole("-32768", ColumnType.integer(2), DataClass.PHONE, new KeyedHash(KEY)))
                .satisfies(s -> assertThat(Short.parseShort(s)).isNotNegative());
    }

    @Test
    void partialIntegerKeepsLastFourDigits() {
        assertThat(whole("4111111111111234", ColumnType.integer(8), DataClass.CARD_NUMBER, new Partial())).isEqualTo("1234");
        assertThat(whole("4111111111111234", ColumnType.integer(1), DataClass.CARD_NUMBER, new Partial())).isEqualTo("0");
        assertThat(whole("12345.67", ColumnType.of(Family.NUMERIC), DataClass.PHONE, new Partial())).isEqualTo("2345");
    }

    @ParameterizedTest
    @EnumSource(value = MaskStrategyKind.class)
    void maskedUuidIsAUuid(MaskStrategyKind kind) {
        String u = whole("550e8400-e29b-41d4-a716-446655440000", ColumnType.of(Family.UUID), DataClass.SECRET, kind.strategy);
        assertThat(UUID.fromString(u).toString()).isEqualTo(u);
    }

    @Test
    void keyedHashUuidIsVersionEightAndStable() {
        String a = whole("550e8400-e29b-41d4-a716-446655440000", ColumnType.of(Family.UUID), DataClass.SECRET, new KeyedHash(KEY));
        assertThat(UUID.fromString(a).version()).isEqualTo(8);
        assertThat(whole("550E8400-E29B-41D4-A716-446655440000", ColumnType.of(Family.UUID), DataClass.SECRET, new KeyedHash(KEY)))
                .isEqualTo(a);
    }

    @ParameterizedTest
    @EnumSource(value = MaskStrategyKind.class)
    void maskedInetIsAnAddress(MaskStrategyKind kind) throws Exception {
        for (String address : new String[] {"203.0.113.45", "2001:db8:85a3::8a2e:370:7334", "10.1.2.3/24"}) {
            String m = whole(address, ColumnType.of(Family.INET), DataClass.IP_ADDRESS, kind.strategy);
            assertThat(isAddressLiteral(m)).as(m).isTrue();
            assertThat(m).isNotEqualTo(address);
        }
    }

    @Test
    void partialAddressKeepsTheNetwork() {
        assertThat(whole("203.0.113.45", ColumnType.of(Family.INET), DataClass.IP_ADDRESS, new Partial())).isEqualTo("203.0.0.0");
        assertThat(whole("2001:db8:85a3::1", ColumnType.text(), DataClass.IP_ADDRESS, new Partial())).isEqualTo("2001:db8::");
        assertThat(whole("203.0.113.45", ColumnType.of(Family.INET), DataClass.IP_ADDRESS, new KeyedHash(KEY))).startsWith("10.");
    }

    @Test
    void byteaBecomesEmptyOrAHexDigest() {
        assertThat(whole("\\x0102", ColumnType.of(Family.BYTEA), DataClass.SECRET, new Redact())).isEmpty();
        assertThat(whole("\\x0102", ColumnType.of(Family.BYTEA), DataClass.SECRET, new KeyedHash(KEY))).matches("[0-9a-f]{64}");
    }

    @Test
    void booleanAndUnknownTypesBecomeNull() {
        assertThat(mask("t", ColumnType.of(Family.BOOLEAN), new WholeValue(DataClass.SECRET, new Redact()))).isEqualTo(MaskedCell.NULL);
        assertThat(mask("{a,b}", ColumnType.of(Family.OTHER), new WholeValue(DataClass.EMAIL, new Partial()))).isEqualTo(MaskedCell.NULL);
    }

    @Test
    void fixedValueThatDoesNotParseAsTheTypeBecomesNull() {
        assertThat(mask("1984-03-15", ColumnType.of(Family.DATE), new WholeValue(DataClass.BIRTH_DATE, new Fixed("n/a"))))
                .isEqualTo(MaskedCell.NULL);
        assertThat(whole("1984-03-15", ColumnType.of(Family.DATE), DataClass.BIRTH_DATE, new Fixed("2000-01-01"))).isEqualTo("2000-01-01");
        assertThat(mask("5", ColumnType.integer(2), new WholeValue(DataClass.PHONE, new Fixed("70000")))).isEqualTo(MaskedCell.NULL);
        assertThat(whole("t", ColumnType.of(Family.BOOLEAN), DataClass.SECRET, new Fixed("f"))).isEqualTo("f");
    }

    @Test
    void varcharMaskIsCutToTheLimit() {
        assertThat(whole("jane@example.com", ColumnType.varchar(10), DataClass.EMAIL, new Partial())).isEqualTo("****@examp");
        assertThat(whole("Jane", ColumnType.varchar(3), DataClass.PERSON_NAME, new Redact())).isEqualTo("***");
        assertThat(whole("x", ColumnType.varchar(4), DataClass.EMAIL, new Fixed("🙂🙂🙂🙂🙂"))).isEqualTo("🙂🙂🙂🙂");
    }

    @Test
    void charMaskIsPaddedToTheLength() {
        assertThat(whole("J    ", ColumnType.character(6), DataClass.PERSON_NAME, new Redact())).isEqualTo("****  ");
        assertThat(scanned("a@b.io    ", ColumnType.character(10))).isEqualTo("****@b.io ");
    }

    // --- JSON

    @Test
    void wholeJsonKeepsStructureAndMasksValues() throws Exception {
        String doc = "{\"street\":\"1 Main St\",\"no\":12,\"geo\":[1.5,true,null],\"note\":\"say \\\"hi\\\"\"}";
        JsonNode out = JSON.readTree(whole(doc, ColumnType.of(Family.JSON), DataClass.ADDRESS, new Redact()));
        assertThat(out.get("street").asText()).isEqualTo("****");
        assertThat(out.get("no").asInt()).isZero();
        assertThat(out.get("geo").get(1).asBoolean()).isTrue();
        assertThat(out.get("geo").get(2).isNull()).isTrue();
        assertThat(out.get("note").asText()).isEqualTo("****");
    }

    @Test
    void wholeJsonThatDoesNotParseBecomesNull() {
        assertThat(mask("{\"a\":", ColumnType.of(Family.JSON), WholeValue.of(DataClass.ADDRESS))).isEqualTo(MaskedCell.NULL);
    }

    @Test
    void wholeJsonWithFixedValueEscapesIt() throws Exception {
        String out = whole("{\"a\":\"x\",\"n\":3}", ColumnType.of(Family.JSON), DataClass.SECRET, new Fixed("say \"no\"\n"));
        JsonNode node = JSON.readTree(out);
        assertThat(node.get("a").asText()).isEqualTo("say \"no\"\n");
        assertThat(node.get("n").asText()).isEqualTo("say \"no\"\n");
    }

    @Test
    void masksEmailInsideJson() throws Exception {
        String out = scanned("{\"id\":7,\"contact\":{\"email\":\"jane@example.com\"}}", ColumnType.of(Family.JSON));
        assertThat(JSON.readTree(out).get("contact").get("email").asText()).isEqualTo("****@example.com");
        assertThat(JSON.readTree(out).get("id").asInt()).isEqualTo(7);
    }

    @Test
    void masksCardWrittenAsAJsonNumberAsAString() throws Exception {
        String out = scanned("{\"pan\":4111111111111111,\"qty\":2}", ColumnType.of(Family.JSON));
        JsonNode node = JSON.readTree(out);
        assertThat(node.get("pan").asText()).isEqualTo("************1111");
        assertThat(node.get("qty").asInt()).isEqualTo(2);
    }

    @Test
    void findingNextToAnEscapeKeepsJsonValid() throws Exception {
        // "\n" right before the address: the 'n' of the escape looks like part of the local part.
        String doc = "{\"notes\":\"line one\\nann@corp.io\\u00e9\"}";
        String out = scanned(doc, ColumnType.of(Family.JSON));
        assertThat(JSON.readTree(out).get("notes").asText()).startsWith("line one").contains("@corp.io");
    }

    @Test
    void nullifyFindingNullsTheCell() {
        ScanContent scan = new ScanContent(Map.of(DataClass.EMAIL, new Nullify()));
        assertThat(mask("write a@b.io", ColumnType.text(), scan)).isEqualTo(MaskedCell.NULL);
        assertThat(masked("write a@b.io", ColumnType.text().withNullability(Nullability.NOT_NULL), scan)).isEqualTo("write ****");
    }

    // --- content scanning, the hot path

    @Test
    void cleanCellIsUnchanged() {
        assertThat(mask("nothing to see here", ColumnType.text(), ScanContent.allWithDefaults())).isSameAs(MaskedCell.UNCHANGED);
    }

    @Test
    void contentScanLeavesNonTextualTypesAlone() {
        assertThat(mask("4111111111111111", ColumnType.integer(8), ScanContent.allWithDefaults())).isSameAs(MaskedCell.UNCHANGED);
    }

    @Test
    void classesLeftOutOfTheActionAreNotMasked() {
        ScanContent cardsOnly = new ScanContent(Map.of(DataClass.CARD_NUMBER, new Redact()));
        assertThat(masked("a@b.io paid with 4111111111111111", ColumnType.text(), cardsOnly)).isEqualTo("a@b.io paid with ****");
        assertThat(mask("only a@b.io", ColumnType.text(), cardsOnly)).isSameAs(MaskedCell.UNCHANGED);
    }

    @Test
    void masksEveryFindingInFreeTextWithItsClassDefault() {
        assertThat(scanned("Jane <jane@example.com>, card 4111 1111 1111 1111, ssn 536-90-4399, token AKIAIOSFODNN7EXAMPLE",
                ColumnType.text()))
                .isEqualTo("Jane <****@example.com>, card **** **** **** 1111, ssn ****, token ****");
    }

    @Test
    void masksInsideTextAtAnOffsetWithUnicodeAround() {
        byte[] row = "||Grüße an jane@example.com 🙂||".getBytes(StandardCharsets.UTF_8);
        int off = 2;
        int len = row.length - 4;
        MaskedCell cell = MASKER.mask(row, off, len, ColumnType.text(), ScanContent.allWithDefaults());
        assertThat(((MaskedCell.Replaced) cell).text()).isEqualTo("Grüße an ****@example.com 🙂");
    }

    @Test
    void everyClassHasADefaultStrategy() {
        for (DataClass c : DataClass.values()) {
            assertThat(c.defaultStrategy()).isNotNull();
            assertThat(masked("value 1", ColumnType.text(), WholeValue.of(c))).isNotEqualTo("value 1");
        }
    }

    /** An IPv4 dotted quad, or an IPv6 literal as java.net.URI accepts it between brackets. */
    private static boolean isAddressLiteral(String s) throws Exception {
        if (s.indexOf(':') < 0) {
            String octet = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
            return s.matches(octet + "(\\." + octet + "){3}");
        }
        InetAddress parsed = InetAddress.getByName(new URI("http://[" + s + "]/").getHost());
        return parsed instanceof java.net.Inet6Address;
    }

    /** The strategies that must keep a typed value valid. */
    enum MaskStrategyKind {
        REDACT(new Redact()),
        PARTIAL(new Partial()),
        KEYED_HASH(new KeyedHash(KEY));

        final MaskStrategy strategy;

        MaskStrategyKind(MaskStrategy strategy) {
            this.strategy = strategy;
        }
    }
}
