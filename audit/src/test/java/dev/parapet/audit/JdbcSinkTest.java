package dev.parapet.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.config.AuditSinkConfig;
import dev.parapet.config.Secret;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The jdbc sink against the machine's real PostgreSQL (127.0.0.1:5432 unless PARAPET_IT_PG_HOST /
 * PARAPET_IT_PG_PORT / PARAPET_IT_PG_USER say otherwise), in database {@code parapet_audit_test},
 * each test with a table of its own.
 */
class JdbcSinkTest {

    private static final String HOST = System.getenv().getOrDefault("PARAPET_IT_PG_HOST", "127.0.0.1");
    private static final int PORT = Integer.parseInt(System.getenv().getOrDefault("PARAPET_IT_PG_PORT", "5432"));
    private static final String USER = System.getenv().getOrDefault("PARAPET_IT_PG_USER", "postgres");
    private static final String DATABASE = "parapet_audit_test";

    /** docs/audit-sinks.md's first example, on the test's table. */
    private static final String WHO_TOUCHED_ORDERS = """
            SELECT time, user_id, operation, tables_read, tables_written, decision
            FROM parapet_audit
            WHERE (tables_read || tables_written) && ARRAY['public.orders', 'orders']
              AND time > now() - interval '24 hours'
            ORDER BY time DESC""";

    /** docs/audit-sinks.md's second example, on the test's table. */
    private static final String WHAT_ALICE_DID = """
            SELECT id, time, event_name, target, operation, fingerprint, decision
            FROM parapet_audit
            WHERE user_id = 'alice@example.com'
              AND time > now() - interval '7 days'
            ORDER BY time DESC
            LIMIT 100""";

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    private String table;
    private Connection admin;
    private final List<AuditSink> sinks = new ArrayList<>();

    @BeforeAll
    static void createDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(url(PORT, "postgres"), USER, "");
                Statement s = c.createStatement()) {
            ResultSet found = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
            if (!found.next()) {
                try {
                    s.execute("CREATE DATABASE " + DATABASE);
                } catch (SQLException e) {
                    if (!"42P04".equals(e.getSQLState())) { // made meanwhile by a test run beside this one
                        throw e;
                    }
                }
            }
        }
    }

    @BeforeEach
    void connect() throws SQLException {
        table = "audit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin = DriverManager.getConnection(url(PORT, DATABASE), USER, "");
    }

    @AfterEach
    void dropTable() throws SQLException {
        sinks.forEach(AuditSink::close);
        try (Statement s = admin.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
        }
        admin.close();
    }

    @Test
    void storesEachEventAsARowWithItsColumns() throws Exception {
        AuditEvent event = AuditEvent.builder(AuditFields.STATEMENT, now)
                .session("s-17")
                .put(AuditFields.USER_ID, "alice@example.com")
                .put(AuditFields.USER_NAME, "Alice Example")
                .put(AuditFields.USER_EMAIL, "alice@example.com")
                .put(AuditFields.USER_ROLES, List.of("analysts", "oncall"))
                .put(AuditFields.TARGET, "prod")
                .put(AuditFields.ENVIRONMENT, "production")
                .put(AuditFields.OPERATION, "UPDATE")
                .put(AuditFields.QUERY_TEXT, "UPDATE orders SET status = ? FROM customers WHERE id = ?")
                .put(AuditFields.FINGERPRINT, "update orders set status = ? from customers where id = ?")
                .put(AuditFields.TABLES_READ, List.of("public.customers"))
                .put(AuditFields.TABLES_WRITTEN, List.of("public.orders"))
                .put(AuditFields.DECISION, "allowed")
                .put(AuditFields.RULE, "prod-writes")
                .put(AuditFields.ROWS_AFFECTED, 3L)
                .put(AuditFields.DURATION_MS, 4.25)
                .put(AuditFields.STATUS_CODE, "00000")
                .build();

        sink(Map.of()).write(List.of(event));

        try (Statement s = admin.createStatement();
                ResultSet row = s.executeQuery("SELECT *, event->>'db.query.text' AS query_text FROM " + table)) {
            assertThat(row.next()).isTrue();
            assertThat(row.getObject("id")).isEqualTo(UUID.fromString(event.id()));
            assertThat(row.getObject("time", OffsetDateTime.class).toInstant()).isEqualTo(now);
            assertThat(row.getString("event_name")).isEqualTo("parapet.statement");
            assertThat(row.getString("session_id")).isEqualTo("s-17");
            assertThat(row.getString("instance")).isEqualTo("gw-1");
            assertThat(row.getString("user_id")).isEqualTo("alice@example.com");
            assertThat(row.getString("user_name")).isEqualTo("Alice Example");
            assertThat(row.getString("user_email")).isEqualTo("alice@example.com");
            assertThat((Object[]) row.getArray("user_groups").getArray()).containsExactly("analysts", "oncall");
            assertThat(row.getString("target")).isEqualTo("prod");
            assertThat(row.getString("environment")).isEqualTo("production");
            assertThat(row.getString("decision")).isEqualTo("allowed");
            assertThat(row.getString("rule")).isEqualTo("prod-writes");
            assertThat(row.getString("operation")).isEqualTo("UPDATE");
            assertThat(row.getString("fingerprint")).isEqualTo("update orders set status = ? from customers where id = ?");
            assertThat((Object[]) row.getArray("tables_read").getArray()).containsExactly("public.customers");
            assertThat((Object[]) row.getArray("tables_written").getArray()).containsExactly("public.orders");
            assertThat(row.getObject("rows_returned")).isNull();
            assertThat(row.getLong("rows_affected")).isEqualTo(3L);
            assertThat(row.getDouble("duration_ms")).isEqualTo(4.25);
            assertThat(row.getString("status_code")).isEqualTo("00000");
            assertThat(row.getString("query_text")).isEqualTo("UPDATE orders SET status = ? FROM customers WHERE id = ?");
            assertThat(AuditEvent.parse(row.getString("event").getBytes(java.nio.charset.StandardCharsets.UTF_8)).id())
                    .isEqualTo(event.id());
            assertThat(row.next()).isFalse();
        }
    }

    @Test
    void answersWhoTouchedATableInTheLastDayFromItsIndexes() throws Exception {
        AuditEvent aliceRead = statement("alice@example.com", now.minus(Duration.ofHours(1)), List.of("public.orders"), List.of());
        AuditEvent bobWrote = statement("bob@example.com", now.minus(Duration.ofHours(2)), List.of(), List.of("public.orders"));
        AuditEvent carolElsewhere = statement("carol@example.com", now.minus(Duration.ofHours(1)), List.of("public.customers"), List.of());
        AuditEvent erinUnqualified = statement("erin@example.com", now.minus(Duration.ofHours(3)), List.of("orders"), List.of());
        AuditEvent daveLastWeek = statement("dave@example.com", now.minus(Duration.ofDays(3)), List.of("public.orders"), List.of());
        AuditSink sink = sink(Map.of());
        sink.write(others(2_000));
        sink.write(List.of(daveLastWeek, erinUnqualified, bobWrote, aliceRead, carolElsewhere));
        analyze();

        assertThat(column(on(WHO_TOUCHED_ORDERS), "user_id")).containsExactly("alice@example.com", "bob@example.com", "erin@example.com");
        assertThat(plan(on(WHO_TOUCHED_ORDERS))).contains(table + "_tables_idx");
    }

    @Test
    void answersWhatAnIdentityDidFromItsIndex() throws Exception {
        AuditEvent first = statement("alice@example.com", now.minus(Duration.ofHours(5)), List.of("public.orders"), List.of());
        AuditEvent other = statement("bob@example.com", now.minus(Duration.ofHours(4)), List.of("public.orders"), List.of());
        AuditEvent second = statement("alice@example.com", now.minus(Duration.ofHours(3)), List.of(), List.of("public.customers"));
        AuditEvent longAgo = statement("alice@example.com", now.minus(Duration.ofDays(30)), List.of("public.orders"), List.of());
        AuditSink sink = sink(Map.of());
        sink.write(others(2_000));
        sink.write(List.of(longAgo, first, other, second));
        analyze();

        assertThat(column(on(WHAT_ALICE_DID), "id"))
                .containsExactly(second.id(), first.id());
        assertThat(plan(on(WHAT_ALICE_DID))).contains(table + "_user_time_idx");
    }

    @Test
    void storesABatchWrittenAgainOnce() throws Exception {
        AuditSink sink = sink(Map.of());
        AuditEvent one = statement("alice@example.com", now, List.of("public.orders"), List.of());
        AuditEvent two = statement("alice@example.com", now, List.of("public.orders"), List.of());
        AuditEvent three = statement("alice@example.com", now, List.of("public.orders"), List.of());

        sink.write(List.of(one, two));
        sink.write(List.of(one, two));
        sink.write(List.of(two, three));

        assertThat(column("SELECT id FROM " + table, "id")).containsExactlyInAnyOrder(one.id(), two.id(), three.id());
    }

    @Test
    void failsAtOnceWhenNothingListensAtTheDatabasesAddress() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        AuditSink sink = sink(Map.of("url", url(closedPort, DATABASE), "timeout", "2s"));

        long started = System.nanoTime();
        assertThatThrownBy(() -> sink.write(List.of(statement("alice@example.com", now, List.of(), List.of()))))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("audit sink " + table + ": could not store 1 event in " + table + ": ");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void failsWithinTheTimeoutWhenTheDatabaseDoesNotAnswer() throws Exception {
        // A socket that takes connections and never says a word: a hung database.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AuditSink sink = sink(Map.of("url", url(silent.getLocalPort(), DATABASE), "timeout", "1s"));

            long started = System.nanoTime();
            assertThatThrownBy(() -> sink.write(List.of(statement("alice@example.com", now, List.of(), List.of()))))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("could not store 1 event");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void reconnectsOnTheWriteAfterItsConnectionWasTerminated() throws Exception {
        AuditSink sink = sink(Map.of());
        AuditEvent before = statement("alice@example.com", now, List.of("public.orders"), List.of());
        AuditEvent after = statement("alice@example.com", now, List.of("public.orders"), List.of());
        sink.write(List.of(before));

        try (Statement s = admin.createStatement();
                ResultSet terminated = s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        + " WHERE application_name = 'parapet audit " + table + "'")) {
            assertThat(terminated.next()).isTrue();
            assertThat(terminated.getBoolean(1)).isTrue();
            assertThat(terminated.next()).isFalse();
        }

        assertThatThrownBy(() -> sink.write(List.of(after))).isInstanceOf(SQLException.class);
        sink.write(List.of(after));

        assertThat(column("SELECT id FROM " + table, "id")).containsExactlyInAnyOrder(before.id(), after.id());
    }

    @Test
    void leavesTheTableToTheOperatorWhenToldNotToCreateIt() throws Exception {
        AuditSink sink = sink(Map.of("create-table", false));
        List<AuditEvent> batch = List.of(statement("alice@example.com", now, List.of(), List.of()));

        assertThatThrownBy(() -> sink.write(batch)).isInstanceOf(SQLException.class).hasMessageContaining("does not exist");

        try (Statement s = admin.createStatement()) {
            for (String statement : AuditTable.named(table).definition()) {
                s.execute(statement);
            }
        }
        sink.write(batch);
        assertThat(column("SELECT id FROM " + table, "id")).containsExactly(batch.getFirst().id());
    }

    @Test
    void writesWithNoMoreThanInsertAndTheRightToSeeIds() throws Exception {
        String writer = table + "_writer";
        try (Statement s = admin.createStatement()) {
            for (String statement : AuditTable.named(table).definition()) {
                s.execute(statement);
            }
            s.execute("CREATE ROLE " + writer + " LOGIN");
            s.execute("GRANT INSERT, SELECT (id) ON " + table + " TO " + writer);
        }
        try {
            AuditSink sink = sink(Map.of("user", writer, "create-table", false));
            List<AuditEvent> batch = List.of(statement("alice@example.com", now, List.of("public.orders"), List.of()));

            sink.write(batch);
            sink.write(batch);

            assertThat(column("SELECT id FROM " + table, "id")).containsExactly(batch.getFirst().id());
        } finally {
            sinks.forEach(AuditSink::close);
            try (Statement s = admin.createStatement()) {
                s.execute("DROP TABLE " + table);
                s.execute("DROP ROLE " + writer);
            }
        }
    }

    @Test
    void refusesSettingsItCannotUse() {
        JdbcSink.Provider provider = new JdbcSink.Provider();
        AuditContext context = new AuditContext("gw-1", null, Clock.systemUTC());

        assertThatThrownBy(() -> provider.create(new AuditSinkConfig("jdbc", "db", Map.of()), context))
                .hasMessage("audit sink db: setting 'url' is required");
        assertThatThrownBy(() -> provider.create(new AuditSinkConfig("jdbc", "db",
                Map.of("url", "postgresql://localhost/audit")), context))
                .hasMessageContaining("url must be a JDBC url");
        assertThatThrownBy(() -> provider.create(new AuditSinkConfig("jdbc", "db",
                Map.of("url", url(PORT, DATABASE), "table", "audit; DROP TABLE users")), context))
                .hasMessageContaining("audit sink db: table: 'audit; DROP TABLE users' is not a table name");
        assertThatThrownBy(() -> provider.create(new AuditSinkConfig("jdbc", "db",
                Map.of("url", url(PORT, DATABASE), "timeout", "soon")), context))
                .hasMessageContaining("audit sink db: timeout:");
    }

    @Test
    void isFoundByItsType() {
        assertThat(ServiceLoader.load(AuditSinkProvider.class).stream().map(p -> p.get().type())).contains("jdbc");
    }

    private AuditSink sink(Map<String, Object> overrides) throws Exception {
        Map<String, Object> settings = new HashMap<>();
        settings.put("url", url(PORT, DATABASE));
        settings.put("user", USER);
        settings.put("password", new Secret(""));
        settings.put("table", table);
        settings.putAll(overrides);
        AuditSink sink = new JdbcSink.Provider().create(new AuditSinkConfig("jdbc", table, settings),
                new AuditContext("gw-1", null, Clock.systemUTC()));
        sinks.add(sink);
        return sink;
    }

    private AuditEvent statement(String user, Instant time, List<String> read, List<String> written) {
        return AuditEvent.builder(AuditFields.STATEMENT, time)
                .session("s-1")
                .put(AuditFields.USER_ID, user)
                .put(AuditFields.OPERATION, written.isEmpty() ? "SELECT" : "UPDATE")
                .put(AuditFields.TABLES_READ, read)
                .put(AuditFields.TABLES_WRITTEN, written)
                .put(AuditFields.DECISION, "allowed")
                .build();
    }

    /**
     * {@code count} statements of the last day by people other than the tests' (user-0 ...),
     * on tables other than theirs (public.t0 ...): what a real trail holds around the rows a
     * question looks for, so that PostgreSQL plans the question as it would in production.
     */
    private List<AuditEvent> others(int count) {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(statement("user-" + i % 40, now.minus(Duration.ofSeconds(30L * i)),
                    List.of("public.t" + i % 50), i % 3 == 0 ? List.of("public.t" + (i + 1) % 50) : List.of()));
        }
        return events;
    }

    private void analyze() throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute("ANALYZE " + table);
        }
    }

    /** A documented query on this test's table. */
    private String on(String query) {
        return query.replace("FROM parapet_audit", "FROM " + table);
    }

    private List<String> column(String query, String column) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement s = admin.createStatement(); ResultSet rows = s.executeQuery(query)) {
            while (rows.next()) {
                values.add(rows.getString(column));
            }
        }
        return values;
    }

    /** The plan PostgreSQL picks for {@code query}. */
    private String plan(String query) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (Statement s = admin.createStatement(); ResultSet lines = s.executeQuery("EXPLAIN " + query)) {
            while (lines.next()) {
                plan.append(lines.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    private static String url(int port, String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }
}
