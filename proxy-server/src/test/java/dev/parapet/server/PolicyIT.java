package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guardrails on the wire with real clients: a refused statement never reaches PostgreSQL, the
 * client gets 42501 naming the rule, and the session (and its transaction) behave as PostgreSQL
 * would after an error.
 */
class PolicyIT {

    static GatewayFixture gateway;
    static Path policies;

    @BeforeAll
    static void start() throws Exception {
        Path dir = GatewayFixture.tempDir("policies");
        policies = dir;
        Files.writeString(dir.resolve("prod.yaml"), """
                rules:
                  - id: no-drop-in-prod
                    description: nobody drops or truncates in production
                    kind: deny-statements
                    statements: [drop, truncate]
                    environments: [prod]
                  - id: where-required
                    kind: require-where
                    environments: [prod]
                  - id: analysts-read-only
                    kind: read-only
                    groups: [analysts]
                    environments: [prod]
                  - id: bob-sees-no-notes
                    kind: deny-columns
                    columns: [customers.notes]
                    select-star: narrow
                    subjects: [bob]
                  - id: analysts-no-birth-dates
                    kind: deny-columns
                    columns: [public.customers.date_of_birth]
                    groups: [analysts]
                """);
        gateway = GatewayFixture.start(GatewayFixture.defaultConfig()
                .replace("    environment: test\n", "    environment: prod\n")
                + "policies: " + dir + "\n");
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop();
        GatewayFixture.assertNoLeaks();
    }

    private static int count(String sql) throws SQLException {
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void psqlGetsTheRuleAndTheSessionGoesOn() throws Exception {
        var result = gateway.psql("it", "bob", "bob-pw", "-v", "ON_ERROR_STOP=0",
                "-c", "drop table customers", "-c", "select 'still here'");
        assertThat(result.output()).contains("ERROR:  denied by rule \"no-drop-in-prod\"")
                .contains("HINT:  if you need this").contains("still here");
        assertThat(count("select count(*) from customers")).isEqualTo(DemoData.CUSTOMERS);
    }

    @Test
    void aStatementSmuggledBehindAnotherIsRefusedAndNothingRuns() throws Exception {
        try (Connection c = gateway.connect("it", "bob", "bob-pw", Map.of("preferQueryMode", "simple"));
             Statement st = c.createStatement()) {
            st.execute("create temp table marker (x int)");
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> st.execute("insert into marker values (1); /* tidy */ truncate orders"));
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("no-drop-in-prod");
            ResultSet rs = st.executeQuery("select count(*) from marker");
            rs.next();
            assertThat(rs.getInt(1)).as("the harmless first statement did not run either").isZero();
        }
        assertThat(count("select count(*) from orders")).isPositive();
    }

    @Test
    void aRefusalInsideATransactionLeavesItFailedAsPostgresWould() throws Exception {
        try (Connection c = gateway.connect("it", "bob", "bob-pw", Map.of()); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("update customers set city = 'Porto' where id = 3");
            SQLException refused = catchThrowableOfType(SQLException.class, () -> st.execute("delete from orders where 1=1"));
            assertThat(refused.getSQLState()).isEqualTo("42501");
            assertThat(refused.getMessage()).contains("where-required").contains("always true");
            SQLException aborted = catchThrowableOfType(SQLException.class, () -> st.execute("select 1"));
            assertThat(aborted.getSQLState()).isEqualTo("25P02");
            c.rollback();
            c.setAutoCommit(true);
            ResultSet rs = st.executeQuery("select city from customers where id = 3");
            rs.next();
            assertThat(rs.getString(1)).as("the update before the refusal was rolled back").isNotEqualTo("Porto");
        }
    }

    @Test
    void preparedStatementsAreCheckedToo() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of("prepareThreshold", "1"))) {
            try (PreparedStatement ok = c.prepareStatement("select email from customers where id = ?")) {
                ok.setInt(1, 5);
                assertThat(ok.executeQuery().next()).isTrue();
            }
            try (PreparedStatement write = c.prepareStatement("update orders set status = ? where id = ?")) {
                write.setString(1, "set-by-policy-it");
                write.setInt(2, 2);
                SQLException e = catchThrowableOfType(SQLException.class, write::executeUpdate);
                assertThat(e.getSQLState()).isEqualTo("42501");
                assertThat(e.getMessage()).contains("analysts-read-only");
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select 40 + 2")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
        assertThat(count("select count(*) from orders where status = 'set-by-policy-it'")).as("nothing was updated").isZero();
    }

    @Test
    void aChangedPolicyAppliesToTheNextStatementOfAnOpenSessionAndABrokenOneIsIgnored() throws Exception {
        Path extra = policies.resolve("zz-reload.yaml");
        try (Connection c = gateway.connect("it", "bob", "bob-pw", Map.of()); Statement st = c.createStatement()) {
            st.execute("select pg_sleep(0)");
            Files.writeString(extra, "rules:\n  - {id: no-sleeping, kind: deny-functions, functions: [pg_sleep]}\n");
            awaitRefusal(st, "select pg_sleep(0)", "no-sleeping");
            Files.writeString(extra, "rules:\n  - {id: broken, kind: nonsense}\n");
            Thread.sleep(1_500);
            SQLException still = catchThrowableOfType(SQLException.class, () -> st.execute("select pg_sleep(0)"));
            assertThat((Object) still).as("a broken file keeps the last good policy").isNotNull();
            assertThat(still.getMessage()).contains("no-sleeping");
        } finally {
            Files.deleteIfExists(extra);
        }
    }

    private static void awaitRefusal(Statement st, String sql, String rule) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try {
                st.execute(sql);
            } catch (SQLException e) {
                assertThat(e.getMessage()).contains(rule);
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the new policy did not take effect");
    }

    @Test
    void aRefusedPreparedStatementWithUntypedParametersGetsTheRuleToo() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of("stringtype", "unspecified"));
             PreparedStatement write = c.prepareStatement("update customers set city = ? where email = ?")) {
            write.setString(1, "Nowhere");
            write.setString(2, "nobody@example.com");
            SQLException e = catchThrowableOfType(SQLException.class, write::executeUpdate);
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("analysts-read-only");
        }
    }

    @Test
    void statementsTheGatewayCannotReadAreRefused() throws Exception {
        var result = gateway.psql("it", "bob", "bob-pw", "-v", "ON_ERROR_STOP=0",
                "-c", "select * from rows from (generate_series(1, 2)) as t(x)", "-c", "select 'after'");
        assertThat(result.output()).contains("cannot analyse this statement").contains("after");
        double denied = gateway.server().registry().find("parapet.statements.denied").tag("rule", "unparseable-statement")
                .counters().stream().mapToDouble(c -> c.count()).sum();
        assertThat(denied).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aDeniedColumnStaysOutOfReachWhicheverWayTheQueryAsksForIt() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of("prepareThreshold", "1"));
             Statement st = c.createStatement()) {
            for (String sql : new String[] {"select date_of_birth from customers", "select * from customers",
                    "select c.* from public.customers c", "select row_to_json(c) from customers c",
                    "select x from customers x", "select id from customers where date_of_birth < '1990-01-01'",
                    "select d from customers as c(i, n, e, p, d)", "copy customers to stdout",
                    "select (select max(\"DATE_OF_BIRTH\") from customers)"}) {
                SQLException e = catchThrowableOfType(SQLException.class, () -> st.executeQuery(sql).close());
                if (sql.contains("DATE_OF_BIRTH")) {
                    // quoted upper case names another (non-existent) column: PostgreSQL refuses it itself
                    assertThat(e.getSQLState()).as(sql).isIn("42501", "42703");
                    continue;
                }
                assertThat((Object) e).as(sql).isNotNull();
                assertThat(e.getSQLState()).as(sql).isEqualTo("42501");
                assertThat(e.getMessage()).as(sql).contains("analysts-no-birth-dates");
            }
            try (PreparedStatement ps = c.prepareStatement("select c from customers c where id = ?")) {
                ps.setInt(1, 1);
                SQLException e = catchThrowableOfType(SQLException.class, () -> ps.executeQuery().close());
                assertThat(e.getMessage()).contains("analysts-no-birth-dates");
            }
            try (ResultSet rs = st.executeQuery("select id, full_name, email from customers order by id limit 1")) {
                assertThat(rs.next()).as("the other columns are still there").isTrue();
            }
        }
    }

    @Test
    void aNarrowedStarQueryArrivesWithoutTheHiddenColumnInEveryProtocol() throws Exception {
        var psql = gateway.psql("it", "bob", "bob-pw", "-A", "-c", "select * from customers where id = 1");
        assertThat(psql.output()).contains("id|full_name|email|phone|date_of_birth|city|created_at").doesNotContain("notes");
        for (String mode : new String[] {"simple", "extended"}) {
            try (Connection c = gateway.connect("it", "bob", "bob-pw", Map.of("preferQueryMode", mode, "prepareThreshold", "1"));
                 PreparedStatement ps = c.prepareStatement("select * from customers where id = ?")) {
                for (int id = 1; id <= 3; id++) {
                    ps.setInt(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.getMetaData().getColumnCount()).as(mode).isEqualTo(7);
                        for (int i = 1; i <= 7; i++) {
                            assertThat(rs.getMetaData().getColumnName(i)).as(mode).isNotEqualTo("notes");
                        }
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getInt("id")).isEqualTo(id);
                        assertThat(rs.getString("email")).contains("@");
                    }
                }
                try (Statement st = c.createStatement()) {
                    SQLException named = catchThrowableOfType(SQLException.class, () -> st.executeQuery("select notes from customers").close());
                    assertThat(named.getMessage()).contains("bob-sees-no-notes");
                    SQLException computed = catchThrowableOfType(SQLException.class,
                            () -> st.executeQuery("select *, 1 as extra from customers").close());
                    assertThat(computed.getSQLState()).isEqualTo("42501");
                    assertThat(computed.getMessage()).contains("cannot tell where every column");
                    try (ResultSet rs = st.executeQuery("select count(*) from customers")) {
                        assertThat(rs.next()).as("the session goes on").isTrue();
                    }
                }
            }
        }
    }
}
