package dev.parapet.policy;

import static dev.parapet.policy.AnalysisAssertions.table;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real-world SQL that the analyzer must read, every statement of it: what pgbench, pg_dump, psql's
 * describe commands and mysqldump actually sent or printed (captured from the tools, see each
 * resource's header), and ORM and driver SQL written from their documented output.
 */
class CorpusTest {

    private static final SqlAnalyzer POSTGRES = new SqlAnalyzer(Dialect.POSTGRES);
    private static final SqlAnalyzer MYSQL = new SqlAnalyzer(Dialect.MYSQL);

    /** One statement of the corpus and where it came from. */
    record Sample(String source, int number, Dialect dialect, String sql) {
        @Override
        public String toString() {
            String oneLine = sql.replaceAll("\\s+", " ");
            return source + " #" + number + ": " + (oneLine.length() > 90 ? oneLine.substring(0, 90) + "..." : oneLine);
        }

        StatementAnalysis analyze() {
            return (dialect == Dialect.POSTGRES ? POSTGRES : MYSQL).analyze(sql);
        }

        List<StatementInfo> statements() {
            StatementAnalysis analysis = analyze();
            assertThat(analysis).as(toString()).isInstanceOf(StatementAnalysis.Analyzed.class);
            return ((StatementAnalysis.Analyzed) analysis).statements();
        }
    }

    static Stream<Sample> corpus() {
        return Stream.of(pgbench(), psqlDescribe(), pgDump(), ormPostgres(), mysql(), mysqldump()).flatMap(List::stream);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void readsEveryRealWorldStatement(Sample sample) {
        StatementAnalysis analysis = sample.analyze();
        if (analysis instanceof StatementAnalysis.Unparseable unparseable) {
            throw new AssertionError(sample + " is unparseable: " + unparseable.reason());
        }
        assertThat(((StatementAnalysis.Analyzed) analysis).statements()).as(sample.toString()).isNotEmpty();
    }

    @Test
    void loadsTheWholeCorpus() {
        assertThat(pgbench()).hasSize(45);
        assertThat(psqlDescribe()).hasSize(79);
        assertThat(pgDump()).hasSizeGreaterThan(75);
        assertThat(ormPostgres()).hasSizeGreaterThan(40);
        assertThat(mysql()).hasSizeGreaterThan(40);
        assertThat(mysqldump()).hasSizeGreaterThan(75);
    }

    @Test
    void seesPgbenchsTransactionAsUpdatesWithWhereAndAnInsert() {
        List<StatementInfo> tpcb = pgbench().stream().filter(s -> s.sql().contains("$"))
                .flatMap(s -> s.statements().stream()).toList();
        assertThat(tpcb).extracting(StatementInfo::kind).containsExactly(StatementKind.UPDATE, StatementKind.SELECT,
                StatementKind.UPDATE, StatementKind.UPDATE, StatementKind.INSERT);
        assertThat(tpcb.get(0).where()).isEqualTo(WhereClause.PRESENT);
        assertThat(tpcb.get(0).tablesWritten()).containsExactly(table("pgbench_accounts"));
        assertThat(tpcb.get(4).tablesWritten()).containsExactly(table("pgbench_history"));
    }

    @Test
    void seesPsqlDescribeQueriesAsReadingOnlyTheCatalog() {
        for (Sample sample : psqlDescribe()) {
            for (StatementInfo info : sample.statements()) {
                assertThat(info.kind()).as(sample.toString()).isEqualTo(StatementKind.SELECT);
                assertThat(info.tablesWritten()).as(sample.toString()).isEmpty();
                assertThat(info.tablesRead()).as(sample.toString()).allSatisfy(t -> assertThat(t.schema()).isEqualTo("pg_catalog"));
            }
        }
    }

    @Test
    void seesPgDumpCopyingFromTheClientOnly() {
        List<StatementInfo> copies = pgDump().stream().flatMap(s -> s.statements().stream())
                .filter(info -> info.kind() == StatementKind.COPY).toList();
        assertThat(copies).hasSizeGreaterThan(4).allSatisfy(copy -> {
            assertThat(copy.serverAccess()).isEmpty();
            assertThat(copy.tablesWritten()).hasSize(1);
        });
        assertThat(pgDump().stream().flatMap(s -> s.statements().stream()).map(StatementInfo::kind))
                .contains(StatementKind.SET, StatementKind.SELECT, StatementKind.CREATE, StatementKind.ALTER,
                        StatementKind.COMMENT, StatementKind.GRANT, StatementKind.CREATE_FUNCTION, StatementKind.REFRESH);
    }

    @Test
    void seesMysqldumpRestoringTablesAndKeepingRoutineBodiesWhole() {
        List<StatementInfo> all = mysqldump().stream().flatMap(s -> s.statements().stream()).toList();
        assertThat(all).filteredOn(info -> info.kind() == StatementKind.INSERT)
                .flatExtracting(StatementInfo::tablesWritten).containsExactlyInAnyOrder(tables("Users", "orders"));
        assertThat(all).filteredOn(info -> info.kind() == StatementKind.CREATE_FUNCTION)
                .extracting(StatementInfo::objectType).containsExactlyInAnyOrder("trigger", "procedure");
    }

    private static TableName[] tables(String... names) {
        return AnalysisAssertions.tables(names);
    }

    // ---------------------------------------------------------------- loaders

    private static String resource(String name) {
        try (InputStream in = CorpusTest.class.getResourceAsStream("corpus/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource corpus/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One statement per line; lines starting with "-- " are headers. */
    private static List<Sample> perLine(String name, Dialect dialect) {
        List<Sample> samples = new ArrayList<>();
        String[] lines = resource(name).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (!line.isBlank() && !line.startsWith("-- ")) {
                samples.add(new Sample(name, i + 1, dialect, line));
            }
        }
        return samples;
    }

    static List<Sample> pgbench() {
        return perLine("pgbench.sql", Dialect.POSTGRES);
    }

    static List<Sample> ormPostgres() {
        return perLine("orm-postgres.sql", Dialect.POSTGRES);
    }

    static List<Sample> mysql() {
        return perLine("mysql.sql", Dialect.MYSQL);
    }

    /** The queries psql -E echoed between its QUERY banners. */
    static List<Sample> psqlDescribe() {
        Matcher query = Pattern.compile("\\*{9} QUERY \\*{10}\n(.*?)\n\\*{26}\n", Pattern.DOTALL)
                .matcher(resource("psql-describe.txt"));
        List<Sample> samples = new ArrayList<>();
        while (query.find()) {
            samples.add(new Sample("psql-describe.txt", samples.size() + 1, Dialect.POSTGRES, query.group(1)));
        }
        return samples;
    }

    /**
     * pg_dump's script as psql would send it: backslash commands (\restrict, \.) are psql's own and
     * COPY data lines are not SQL; a statement ends with a line ending in ';' outside dollar quotes.
     */
    static List<Sample> pgDump() {
        List<Sample> samples = new ArrayList<>();
        StringBuilder statement = new StringBuilder();
        boolean copyData = false;
        int lineNumber = 0;
        int startLine = 0;
        for (String line : resource("pg_dump.sql").split("\n")) {
            lineNumber++;
            if (copyData) {
                copyData = !line.equals("\\.");
                continue;
            }
            if (line.startsWith("\\") || (statement.isEmpty() && (line.isBlank() || line.startsWith("--")))) {
                continue;
            }
            if (statement.isEmpty()) {
                startLine = lineNumber;
            }
            statement.append(line).append('\n');
            boolean dollarQuoted = statement.toString().split("\\$\\$", -1).length % 2 == 0;
            if (line.endsWith(";") && !dollarQuoted) {
                String sql = statement.toString().trim();
                samples.add(new Sample("pg_dump.sql", startLine, Dialect.POSTGRES, sql));
                copyData = sql.startsWith("COPY ") && sql.endsWith("FROM stdin;");
                statement.setLength(0);
            }
        }
        return samples;
    }

    /**
     * mysqldump's script as the mysql client sends it: statements end at the current DELIMITER,
     * which DELIMITER lines change; "--" comment lines are the client's to drop. The first line,
     * {@code /*M!999999\- enable the sandbox mode *}{@code /}, is a MariaDB client command, not SQL.
     */
    static List<Sample> mysqldump() {
        List<Sample> samples = new ArrayList<>();
        StringBuilder statement = new StringBuilder();
        String delimiter = ";";
        int lineNumber = 0;
        int startLine = 0;
        for (String line : resource("mysqldump.sql").split("\n")) {
            lineNumber++;
            if (line.startsWith("/*M!999999\\-") || line.equals("--") || line.startsWith("-- ")) {
                continue;
            }
            if (line.startsWith("DELIMITER ")) {
                delimiter = line.substring("DELIMITER ".length()).trim();
                continue;
            }
            if (statement.isEmpty() && line.isBlank()) {
                continue;
            }
            if (statement.isEmpty()) {
                startLine = lineNumber;
            }
            statement.append(line).append('\n');
            String text = statement.toString().stripTrailing();
            if (text.endsWith(delimiter)) {
                samples.add(new Sample("mysqldump.sql", startLine, Dialect.MYSQL,
                        text.substring(0, text.length() - delimiter.length())));
                statement.setLength(0);
            }
        }
        return samples;
    }
}
