package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.parapet.audit.AuditEvent;
import dev.parapet.audit.AuditFields;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit trail through the gateway with real clients: one event per connection attempt, per
 * statement (with its decision, tables, rows, masked columns, transaction) and per disconnect,
 * literals kept out; and a fail-closed target that refuses logins and statements while audit
 * cannot record, then recovers.
 */
class AuditIT {

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        Path dir = GatewayFixture.tempDir("audit");
        Files.writeString(dir.resolve("rules.yaml"), """
                rules:
                  - id: no-drop
                    kind: deny-statements
                    statements: [DROP]
                  - id: mask-personal-data
                    kind: mask
                    clear-for: [dba]
                """);
        String yaml = GatewayFixture.defaultConfigWithTargets(
                "- {name: prodlike, environment: prod, upstream: {host: " + GatewayFixture.PG_HOST + ", port: "
                        + GatewayFixture.PG_PORT + ", database: " + GatewayFixture.DATABASE + ", user: "
                        + GatewayFixture.PG_SUPERUSER + "}}")
                + "policies: " + dir + "\n"
                + """
                audit:
                  flush-interval: 10ms
                  retry-backoff: 10ms
                  retry-backoff-max: 50ms
                  sinks:
                    - {type: capture}
                """;
        gateway = GatewayFixture.start(yaml);
    }

    @AfterAll
    static void stop() throws Exception {
        CapturingSink.down = false;
        gateway.stop();
        GatewayFixture.assertNoLeaks();
    }

    @BeforeEach
    void clear() {
        CapturingSink.down = false;
        CapturingSink.EVENTS.clear();
    }

    /** The event schema published in docs/, which every event the tests saw must follow. */
    private static final com.networknt.schema.JsonSchema SCHEMA = loadSchema();

    private static com.networknt.schema.JsonSchema loadSchema() {
        try {
            Path file = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("audit-event.schema.json");
            return com.networknt.schema.JsonSchemaFactory.getInstance(com.networknt.schema.SpecVersion.VersionFlag.V202012)
                    .getSchema(Files.readString(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void everyEventFollowsThePublishedSchema() throws Exception {
        CapturingSink.down = false;
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        for (AuditEvent event : CapturingSink.EVENTS) {
            var errors = SCHEMA.validate(mapper.readTree(event.json()));
            assertThat(errors).as("%s", event).isEmpty();
        }
    }

    private static List<AuditEvent> await(Predicate<List<AuditEvent>> done) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!done.test(CapturingSink.EVENTS)) {
            assertThat(System.nanoTime() - until).as("events so far: %s", CapturingSink.EVENTS).isNegative();
            Thread.sleep(10);
        }
        return List.copyOf(CapturingSink.EVENTS);
    }

    private static long number(AuditEvent event, String key) {
        Object value = event.attribute(key);
        assertThat(value).as("%s of %s", key, event).isInstanceOf(Number.class);
        return ((Number) value).longValue();
    }

    private static List<AuditEvent> named(List<AuditEvent> events, String name) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    @Test
    void aPsqlSessionIsRecordedFromConnectToDisconnectWithoutItsLiterals() throws Exception {
        var result = gateway.psql("it", "alice", "alice-pw", "-c", "select id, city from customers where email = 'ann.secret@example.com'",
                "-c", "drop table customers", "-c", "select 1");
        assertThat(result.exitCode()).as(result.output()).isNotZero(); // the DROP stops psql
        List<AuditEvent> events = await(e -> !named(e, AuditFields.DISCONNECT).isEmpty());
        assertThat(events).extracting(AuditEvent::name).containsExactly(AuditFields.CONNECT, AuditFields.STATEMENT,
                AuditFields.STATEMENT, AuditFields.DISCONNECT);
        AuditEvent connect = events.get(0);
        assertThat(connect.text(AuditFields.OUTCOME)).isEqualTo("accepted");
        assertThat(connect.text(AuditFields.USER_ID)).isEqualTo("alice");
        assertThat(connect.attribute(AuditFields.USER_ROLES)).isEqualTo(List.of("analysts"));
        assertThat(connect.text(AuditFields.CLIENT_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(connect.text(AuditFields.CLIENT_APPLICATION)).isEqualTo("psql");
        assertThat(connect.text(AuditFields.TARGET)).isEqualTo("it");
        assertThat(connect.text(AuditFields.ENVIRONMENT)).isEqualTo("test");
        assertThat(connect.text(AuditFields.DB_SYSTEM)).isEqualTo("postgresql");

        AuditEvent select = events.get(1);
        assertThat(select.text(AuditFields.DECISION)).isEqualTo("allowed");
        assertThat(select.text(AuditFields.OPERATION)).isEqualTo("SELECT");
        assertThat(select.text(AuditFields.QUERY_TEXT)).contains("customers").contains("?").doesNotContain("ann.secret");
        assertThat(select.attribute(AuditFields.TABLES_READ)).isEqualTo(List.of("customers"));
        assertThat(select.attribute(AuditFields.COLUMNS).toString()).contains("customers.email", "customers.city");
        assertThat(number(select, AuditFields.ROWS_RETURNED)).isZero();
        assertThat(select.attribute(AuditFields.COMMAND_TAGS)).isEqualTo(List.of("SELECT 0"));
        assertThat(select.text(AuditFields.MASKING_RULE)).isEqualTo("mask-personal-data");
        assertThat(select.sessionId()).isEqualTo(connect.sessionId());

        AuditEvent drop = events.get(2);
        assertThat(drop.text(AuditFields.DECISION)).isEqualTo("denied");
        assertThat(drop.text(AuditFields.RULE)).isEqualTo("no-drop");
        assertThat(drop.text(AuditFields.OPERATION)).isEqualTo("DROP");
        assertThat(drop.attribute(AuditFields.TABLES_WRITTEN)).isEqualTo(List.of("customers"));

        AuditEvent disconnect = events.get(3);
        assertThat(number(disconnect, AuditFields.SESSION_STATEMENTS)).isEqualTo(2);
        assertThat(disconnect.text(AuditFields.REASON)).contains("client");
        for (AuditEvent event : events) {
            assertThat(new String(event.json())).doesNotContain("ann.secret").doesNotContain("alice-pw");
        }
    }

    @Test
    void jdbcStatementsCarryRowsMaskedColumnsTransactionsAndErrors() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of("prepareThreshold", "1"))) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("select id, email from customers where id <= ? order by id")) {
                ps.setFetchSize(40);
                ps.setInt(1, 100);
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                    }
                }
                assertThat(rows).isEqualTo(100);
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("update customers set city = city where id <= 3");
                catchThrowableOfType(SQLException.class, () -> st.executeQuery("select no_such_column from customers"));
            }
            c.rollback();
            try (Statement st = c.createStatement()) {
                st.executeQuery("select count(*) from orders").close();
            }
            c.commit();
        }
        List<AuditEvent> events = await(e -> !named(e, AuditFields.DISCONNECT).isEmpty());
        List<AuditEvent> statements = named(events, AuditFields.STATEMENT).stream()
                .filter(e -> e.text(AuditFields.QUERY_TEXT) != null && !e.text(AuditFields.QUERY_TEXT).startsWith("set ")
                        && !e.text(AuditFields.QUERY_TEXT).startsWith("begin") && !e.text(AuditFields.QUERY_TEXT).startsWith("commit")
                        && !e.text(AuditFields.QUERY_TEXT).startsWith("rollback"))
                .toList();
        assertThat(statements).extracting(e -> e.text(AuditFields.OPERATION)).containsExactly("SELECT", "UPDATE", "SELECT", "SELECT");

        AuditEvent paged = statements.get(0);
        assertThat(number(paged, AuditFields.ROWS_RETURNED)).as("a portal read 40 rows at a time is one statement")
                .isEqualTo(100);
        assertThat(paged.text(AuditFields.QUERY_PROTOCOL)).isEqualTo("extended");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> masked = (List<Map<String, Object>>) paged.attribute(AuditFields.MASKED_COLUMNS);
        assertThat(masked).anySatisfy(column -> {
            assertThat(column.get("column")).isEqualTo("email");
            assertThat(column.get("class")).isEqualTo("email");
            assertThat(column.get("strategy")).isEqualTo("partial");
        });

        AuditEvent update = statements.get(1);
        assertThat(number(update, AuditFields.ROWS_AFFECTED)).isEqualTo(3);
        AuditEvent failed = statements.get(2);
        assertThat(failed.text(AuditFields.STATUS_CODE)).isEqualTo("42703");
        assertThat(failed.text(AuditFields.ERROR_MESSAGE)).contains("no_such_column");
        assertThat(paged.attribute(AuditFields.TRANSACTION)).isEqualTo(update.attribute(AuditFields.TRANSACTION));
        assertThat(((Number) statements.get(3).attribute(AuditFields.TRANSACTION)).longValue())
                .as("after the rollback, a new transaction").isGreaterThan(((Number) update.attribute(AuditFields.TRANSACTION)).longValue());
        assertThat(((Number) paged.attribute(AuditFields.DURATION_MS)).doubleValue()).isPositive();
    }

    @Test
    void refusedLoginsAreRecordedWithTheirReason() throws Exception {
        SQLException e = catchThrowableOfType(SQLException.class, () -> gateway.connect("it", "alice", "wrong", Map.of()).close());
        assertThat(e.getSQLState()).isEqualTo("28P01");
        catchThrowableOfType(SQLException.class, () -> gateway.connect("nosuchtarget", "alice", "alice-pw", Map.of()).close());
        List<AuditEvent> events = await(all -> named(all, AuditFields.CONNECT).size() >= 2);
        assertThat(events).allSatisfy(event -> assertThat(event.text(AuditFields.OUTCOME)).isEqualTo("refused"));
        assertThat(events.get(0).text(AuditFields.USER_NAME)).isEqualTo("alice");
        assertThat(events.get(0).text(AuditFields.STATUS_CODE)).isEqualTo("28P01");
        assertThat(events.get(1).text(AuditFields.STATUS_CODE)).isEqualTo("3D000");
        assertThat(events.get(1).text(AuditFields.REASON)).contains("nosuchtarget");
        assertThat(events.toString()).doesNotContain("wrong");
    }

    @Test
    void aFailClosedTargetRefusesWhatItCannotAuditAndRecoversWithTheSink() throws Exception {
        try (Connection prod = gateway.connect("prodlike", "bob", "bob-pw", Map.of());
             Connection test = gateway.connect("it", "bob", "bob-pw", Map.of());
             Statement prodSt = prod.createStatement(); Statement testSt = test.createStatement()) {
            prodSt.executeQuery("select 1").close();
            CapturingSink.down = true;
            // without a spool, a failing sink cannot keep what it is given
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            SQLException refused = null;
            while (refused == null && System.nanoTime() < until) {
                refused = catchThrowableOfType(SQLException.class, () -> prodSt.executeQuery("select count(*) from customers").close());
                Thread.sleep(20);
            }
            assertThat((Object) refused).as("refused once the sink fails").isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("58000");
            assertThat(refused.getMessage()).contains("audit").contains("fail-closed").contains("prodlike");
            SQLException login = catchThrowableOfType(SQLException.class, () -> gateway.connect("prodlike", "bob", "bob-pw", Map.of()).close());
            assertThat(login.getSQLState()).isEqualTo("57P03");
            try (ResultSet rs = testSt.executeQuery("select count(*) from customers")) {
                assertThat(rs.next()).as("a best-effort target goes on").isTrue();
            }
            CapturingSink.down = false;
            until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            boolean back = false;
            while (!back && System.nanoTime() < until) {
                try {
                    prodSt.executeQuery("select count(*) from customers").close();
                    back = true;
                } catch (SQLException stillRefused) {
                    Thread.sleep(20);
                }
            }
            assertThat(back).as("statements run again once the sink recovers").isTrue();
        }
        List<AuditEvent> events = await(all -> named(all, AuditFields.DISCONNECT).size() >= 2);
        assertThat(named(events, AuditFields.STATEMENT)).as("what ran while the sink was down was kept and delivered")
                .anySatisfy(e -> assertThat(e.text(AuditFields.TARGET)).isEqualTo("it"));
    }
}
