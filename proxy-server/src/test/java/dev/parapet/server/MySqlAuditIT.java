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
 * The audit trail of MySQL sessions, captured by a sink of the tests' own: the connect (accepted,
 * or refused with its SQLSTATE and never the secret), each statement (allowed with its rows,
 * denied with its rule, masked with its columns, a prepared statement's execute, an error from
 * the database) and the disconnect, all saying mysql and following the published schema.
 */
class MySqlAuditIT {

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = MySqlFixture.start(MySqlFixture.policies("mysql-audit", """
                rules:
                  - id: no-drop
                    kind: deny-statements
                    statements: [drop]
                  - id: mask-personal-data
                    kind: mask
                    clear-for: [dba]
                """), """
                audit:
                  flush-interval: 10ms
                  retry-backoff: 10ms
                  retry-backoff-max: 50ms
                  sinks:
                    - {type: capture}
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop();
        GatewayFixture.assertNoLeaks();
    }

    @BeforeEach
    void clear() {
        CapturingSink.down = false;
        CapturingSink.EVENTS.clear();
    }

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
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(CapturingSink.EVENTS).as("events seen").isNotEmpty();
        for (AuditEvent event : CapturingSink.EVENTS) {
            var errors = SCHEMA.validate(mapper.readTree(event.json()));
            assertThat(errors).as("%s", event).isEmpty();
            assertThat(event.text(AuditFields.PROTOCOL)).as("%s", event).isEqualTo("mysql");
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

    private static List<AuditEvent> named(List<AuditEvent> events, String name) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    private static long number(AuditEvent event, String key) {
        Object value = event.attribute(key);
        assertThat(value).as("%s of %s", key, event).isInstanceOf(Number.class);
        return ((Number) value).longValue();
    }

    /** The one statement event whose redacted text contains {@code part}. */
    private static AuditEvent statement(List<AuditEvent> events, String part) {
        List<AuditEvent> found = named(events, AuditFields.STATEMENT).stream()
                .filter(e -> e.text(AuditFields.QUERY_TEXT) != null && e.text(AuditFields.QUERY_TEXT).contains(part)).toList();
        assertThat(found).as("statements with %s among %s", part, events).hasSize(1);
        return found.get(0);
    }

    @Test
    void aConnectorJSessionIsRecordedFromConnectToDisconnect() throws Exception {
        try (Connection c = MySqlFixture.mariadb(gateway, "alice", "sslMode=trust&useServerPrepStmts=true");
                Statement st = c.createStatement()) {
            assertThat(MySqlFixture.query(c, "select id, city from customers where email = 'ann.secret@example.com'"))
                    .isEmpty();
            assertThat(MySqlFixture.query(c, "select id from customers where id <= 7 order by id").lines()).hasSize(7);
            SQLException denied = catchThrowableOfType(SQLException.class, () -> st.execute("drop table customers"));
            assertThat(denied.getErrorCode()).isEqualTo(1142);
            String masked = MySqlFixture.query(c, "select id, email from customers where id <= 3 order by id");
            assertThat(masked.lines()).hasSize(3);
            try (PreparedStatement ps = c.prepareStatement("select id, full_name from customers where id <= ? order by id")) {
                ps.setInt(1, 4);
                try (ResultSet rs = ps.executeQuery()) {
                    int rows = 0;
                    while (rs.next()) {
                        rows++;
                    }
                    assertThat(rows).isEqualTo(4);
                }
            }
            SQLException failed = catchThrowableOfType(SQLException.class,
                    () -> st.executeQuery("select no_such_column from customers"));
            assertThat(failed.getErrorCode()).isEqualTo(1054);
        }
        List<AuditEvent> events = await(e -> !named(e, AuditFields.DISCONNECT).isEmpty());

        AuditEvent connect = events.get(0);
        assertThat(connect.name()).isEqualTo(AuditFields.CONNECT);
        assertThat(connect.text(AuditFields.OUTCOME)).isEqualTo("accepted");
        assertThat(connect.text(AuditFields.USER_ID)).isEqualTo("alice");
        assertThat(connect.attribute(AuditFields.USER_ROLES)).isEqualTo(List.of("analysts"));
        assertThat(connect.text(AuditFields.CLIENT_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(connect.text(AuditFields.TARGET)).isEqualTo("it");
        assertThat(connect.text(AuditFields.ENVIRONMENT)).isEqualTo("test");
        assertThat(connect.text(AuditFields.DB_SYSTEM)).isEqualTo("mysql");
        assertThat(connect.text(AuditFields.DB_NAMESPACE)).isEqualTo("it");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.sessionId()).isEqualTo(connect.sessionId());
            assertThat(e.text(AuditFields.USER_ID)).isEqualTo("alice");
            assertThat(e.text(AuditFields.TARGET)).isEqualTo("it");
            assertThat(e.text(AuditFields.DB_SYSTEM)).isEqualTo("mysql");
        });

        AuditEvent literal = statement(events, "city from customers");
        assertThat(literal.text(AuditFields.DECISION)).isEqualTo("allowed");
        assertThat(literal.text(AuditFields.OPERATION)).isEqualTo("SELECT");
        assertThat(literal.text(AuditFields.QUERY_TEXT)).contains("?").doesNotContain("ann.secret");
        assertThat(literal.attribute(AuditFields.TABLES_READ)).isEqualTo(List.of("customers"));
        assertThat(number(literal, AuditFields.ROWS_RETURNED)).isZero();

        AuditEvent seven = statement(events, "select id from customers");
        assertThat(seven.text(AuditFields.DECISION)).isEqualTo("allowed");
        assertThat(number(seven, AuditFields.ROWS_RETURNED)).isEqualTo(7);
        assertThat(seven.text(AuditFields.QUERY_PROTOCOL)).isEqualTo("simple");

        AuditEvent drop = statement(events, "drop table");
        assertThat(drop.text(AuditFields.DECISION)).isEqualTo("denied");
        assertThat(drop.text(AuditFields.RULE)).isEqualTo("no-drop");
        assertThat(drop.text(AuditFields.OPERATION)).isEqualTo("DROP");
        assertThat(drop.text(AuditFields.DECISION_REASON)).contains("no-drop");

        AuditEvent mask = statement(events, "select id, email");
        assertThat(mask.text(AuditFields.MASKING_RULE)).isEqualTo("mask-personal-data");
        assertThat(number(mask, AuditFields.ROWS_RETURNED)).isEqualTo(3);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> maskedColumns = (List<Map<String, Object>>) mask.attribute(AuditFields.MASKED_COLUMNS);
        assertThat(maskedColumns).anySatisfy(column -> {
            assertThat(column.get("column")).isEqualTo("email");
            assertThat(column.get("class")).isEqualTo("email");
        });
        assertThat(maskedColumns).noneSatisfy(column -> assertThat(column.get("column")).isEqualTo("id"));

        AuditEvent prepared = statement(events, "full_name");
        assertThat(prepared.text(AuditFields.QUERY_PROTOCOL)).isEqualTo("prepared");
        assertThat(prepared.text(AuditFields.DECISION)).isEqualTo("allowed");
        assertThat(number(prepared, AuditFields.ROWS_RETURNED)).isEqualTo(4);
        assertThat(prepared.text(AuditFields.MASKING_RULE)).isEqualTo("mask-personal-data");

        AuditEvent error = statement(events, "no_such_column");
        assertThat(error.text(AuditFields.STATUS_CODE)).isEqualTo("42S22");
        assertThat(error.text(AuditFields.ERROR_MESSAGE)).contains("no_such_column");

        AuditEvent disconnect = events.get(events.size() - 1);
        assertThat(disconnect.name()).isEqualTo(AuditFields.DISCONNECT);
        assertThat(disconnect.text(AuditFields.REASON)).contains("client");
        assertThat(number(disconnect, AuditFields.SESSION_STATEMENTS))
                .isEqualTo(named(events, AuditFields.STATEMENT).size());
        for (AuditEvent event : events) {
            assertThat(new String(event.json())).doesNotContain("ann.secret").doesNotContain("alice-pw");
        }
    }

    @Test
    void refusedLoginsAreRecordedWithTheirSqlStateAndNeverTheSecret() throws Exception {
        try (RawMySqlConnection c = RawMySqlConnection.open(MySqlFixture.port(gateway))) {
            assertThat(c.login("alice", "wrong-secret-4242", "it").error().code()).isEqualTo(1045);
        }
        try (RawMySqlConnection c = RawMySqlConnection.open(MySqlFixture.port(gateway))) {
            assertThat(c.login("alice", "alice-pw", "nosuchtarget").error().code()).isEqualTo(1049);
        }
        List<AuditEvent> events = await(all -> named(all, AuditFields.CONNECT).size() >= 2);
        assertThat(events).hasSize(2).allSatisfy(event -> {
            assertThat(event.name()).isEqualTo(AuditFields.CONNECT);
            assertThat(event.text(AuditFields.OUTCOME)).isEqualTo("refused");
            assertThat(event.text(AuditFields.USER_NAME)).isEqualTo("alice");
        });
        AuditEvent badPassword = events.get(0);
        assertThat(badPassword.text(AuditFields.STATUS_CODE)).isEqualTo("28000");
        assertThat(badPassword.text(AuditFields.ERROR_TYPE)).isEqualTo("28000");
        assertThat(badPassword.text(AuditFields.USER_ID)).as("no identity was established").isNull();
        assertThat(badPassword.text(AuditFields.DB_NAMESPACE)).isEqualTo("it");
        AuditEvent unknownTarget = events.get(1);
        assertThat(unknownTarget.text(AuditFields.STATUS_CODE)).isEqualTo("42000");
        assertThat(unknownTarget.text(AuditFields.REASON)).contains("nosuchtarget");
        assertThat(events.toString()).doesNotContain("wrong-secret").doesNotContain("4242");
        for (AuditEvent event : events) {
            assertThat(new String(event.json())).doesNotContain("wrong-secret").doesNotContain("4242");
        }
    }
}
