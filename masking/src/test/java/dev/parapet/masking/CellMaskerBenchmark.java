package dev.parapet.masking;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * What masking costs per cell: a clean text cell (the pre-filter alone), a text cell holding an
 * e-mail address, a whole e-mail column value, a 1 KB JSON document with two findings (an
 * e-mail address and a phone number, or an e-mail address and a card number), and a 300-byte
 * {@code row_to_json} document masked key by key, of a customer (five members to mask) and of a
 * product (nothing to mask). Not a test (surefire runs only *Test classes): run it by hand with
 * {@link #main} (1 fork, 3 x 1 s warm-up, 5 x 1 s measurement), e.g. from the repository root:
 *
 * <pre>
 * ./mvnw -B -q test-compile -pl masking -am
 * ./mvnw -B -q -pl masking dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
 * java -cp masking/target/test-classes:masking/target/classes:config/target/classes:$(cat masking/target/bench.classpath) \
 *     dev.parapet.masking.CellMaskerBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CellMaskerBenchmark {

    private final CellMasker masker = new CellMasker();
    private final MaskAction scan = MaskAction.ScanContent.allWithDefaults();
    private final MaskAction wholeEmail = MaskAction.WholeValue.of(DataClass.EMAIL);
    private final MaskAction jsonFields = MaskAction.JsonFields.allWithDefaults();
    private final ColumnType text = ColumnType.text();
    private final ColumnType json = ColumnType.of(ColumnType.Family.JSON);

    private byte[] clean;
    private byte[] withEmail;
    private byte[] email;
    private byte[] document;
    private byte[] documentWithoutPhone;
    byte[] customerRow; // package-private: the fixture test checks the sizes
    byte[] productRow;

    @Setup
    public void setUp() {
        clean = "Shipped in two parcels, left at the door".getBytes(StandardCharsets.UTF_8);
        withEmail = "Customer asked to reply to jane@example.com".getBytes(StandardCharsets.UTF_8);
        email = "jane.doe@example.com".getBytes(StandardCharsets.UTF_8);
        StringBuilder doc = new StringBuilder("{\"order\":{\"id\":\"ord_7Hx\",\"status\":\"shipped\",\"lines\":[");
        for (int i = 0; doc.length() < 850; i++) {
            doc.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(1000 + i)
                    .append("\",\"qty\":").append(i % 4 + 1).append(",\"note\":\"gift wrap please\"}");
        }
        doc.append("]},\"customer\":{\"email\":\"jane@example.com\",\"phone\":\"+44 20 7946 0958\"}}");
        document = doc.toString().getBytes(StandardCharsets.UTF_8);
        documentWithoutPhone = doc.toString().replace("+44 20 7946 0958", "4111 1111 1111 1111")
                .getBytes(StandardCharsets.UTF_8);
        customerRow = ("{\"id\":1042,\"full_name\":\"Ann Lee\",\"email\":\"ann.lee@example.com\","
                + "\"phone\":\"+1 650 555 1234\",\"date_of_birth\":\"1990-04-01\",\"street\":\"12 Rue de Rivoli\","
                + "\"city\":\"Paris\",\"country\":\"FR\",\"created_at\":\"2023-05-17T09:12:44.123456+00:00\","
                + "\"tier\":\"gold\",\"marketing_opt_in\":false,\"notes\":\"prefers e-mail, call back after 5pm\"}")
                .getBytes(StandardCharsets.UTF_8);
        productRow = ("{\"id\":88,\"sku\":\"LMP-0042\",\"title\":\"Brass desk lamp\","
                + "\"description\":\"Adjustable arm, warm white bulb included, ships flat-packed\",\"price\":49.90,"
                + "\"currency\":\"EUR\",\"stock\":112,\"tags\":[\"home\",\"lighting\",\"desk\"],"
                + "\"created_at\":\"2023-05-17T09:12:44.123456+00:00\",\"discontinued\":false,\"weight_kg\":1.35}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** 40 bytes of text with nothing to find: one pass of the pre-filter, no allocation. */
    @Benchmark
    public MaskedCell cleanTextCell() {
        return masker.mask(clean, 0, clean.length, text, scan);
    }

    /** A text cell with an e-mail address inside: found, masked, a new cell built. */
    @Benchmark
    public MaskedCell textCellWithEmail() {
        return masker.mask(withEmail, 0, withEmail.length, text, scan);
    }

    /** An e-mail column masked whole with its default (keep the domain). */
    @Benchmark
    public MaskedCell wholeEmailColumn() {
        return masker.mask(email, 0, email.length, text, wholeEmail);
    }

    /** About 1 KB of JSON with an e-mail address and a phone number in it. */
    @Benchmark
    public MaskedCell jsonDocumentWithTwoFindings() {
        return masker.mask(document, 0, document.length, json, scan);
    }

    /** The same document with a card number instead of the phone: no phone matcher involved. */
    @Benchmark
    public MaskedCell jsonDocumentWithEmailAndCard() {
        return masker.mask(documentWithoutPhone, 0, documentWithoutPhone.length, json, scan);
    }

    /** {@code row_to_json} of a customer, about 300 bytes: name, e-mail, phone, birth date, street masked by key. */
    @Benchmark
    public MaskedCell rowToJsonCustomer() {
        return masker.mask(customerRow, 0, customerRow.length, json, jsonFields);
    }

    /** {@code row_to_json} of a product, about 300 bytes, nothing to mask: the parser-only first pass. */
    @Benchmark
    public MaskedCell rowToJsonProduct() {
        return masker.mask(productRow, 0, productRow.length, json, jsonFields);
    }

    public static void main(String[] args) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(CellMaskerBenchmark.class.getName())
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .build();
        new Runner(options).run();
    }
}
