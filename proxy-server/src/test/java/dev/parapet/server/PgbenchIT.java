package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgbench through the gateway, into a database of its own: initialization (COPY of 100,000
 * rows, VACUUM, primary keys), then TPC-B-like runs with several clients in each query mode.
 * Every transaction pgbench counts must have reached the database: each one inserts a row into
 * pgbench_history (which pgbench empties before each run), and a direct connection counts them.
 */
class PgbenchIT {

    static final String DATABASE = "parapet_it_pgbench";
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        try (Connection admin = GatewayFixture.direct("postgres")) {
            DemoData.ensureDatabase(admin, DATABASE);
        }
        gateway = GatewayFixture.start(GatewayFixture.defaultConfigWithTargets(
                "- {name: bench, upstream: {host: %s, port: %d, database: %s, user: %s}}".formatted(
                        GatewayFixture.PG_HOST, GatewayFixture.PG_PORT, DATABASE, GatewayFixture.PG_SUPERUSER)));
        initialize();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        GatewayFixture.assertNoLeaks();
    }

    private static void initialize() throws Exception {
        String out = pgbench("-i", "-s", "1").assertSuccess().output();
        assertThat(out).contains("done in");
        assertThat(directCount("select count(*) from pgbench_accounts")).isEqualTo(100_000);
        assertThat(directCount("select count(*) from pgbench_branches")).isEqualTo(1);
        assertThat(directCount("select count(*) from pgbench_history")).isZero();
        assertThat(directCount("select count(*) from pg_indexes where tablename = 'pgbench_accounts'"))
                .as("primary key created through the gateway").isOne();
    }

    private static GatewayFixture.Result pgbench(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("pgbench", "-h", "127.0.0.1", "-p", String.valueOf(gateway.port()),
                "-U", "bob"));
        command.addAll(List.of(args));
        command.add("bench");
        return GatewayFixture.run(Map.of("PGPASSWORD", "bob-pw", "PGSSLMODE", "disable", "PGCONNECT_TIMEOUT", "10"),
                null, command.toArray(String[]::new));
    }

    private static long directCount(String sql) throws SQLException {
        try (Connection c = GatewayFixture.direct(DATABASE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "extended", "prepared"})
    void runsTransactionsInEachQueryMode(String mode) throws Exception {
        String out = pgbench("-c", "4", "-j", "2", "-T", "3", "-M", mode).assertSuccess().output();
        assertThat(out).contains("query mode: " + mode);
        long processed = number(PROCESSED, out);
        assertThat(processed).as("transactions processed; output:\n%s", out).isPositive();
        assertThat(number(FAILED, out)).as("failed transactions").isZero();
        assertThat(directCount("select count(*) from pgbench_history"))
                .as("history rows written by this run (pgbench empties the table before it)").isEqualTo(processed);
    }

    @Test
    void runsAFixedNumberOfTransactionsPerClient() throws Exception {
        String out = pgbench("-c", "4", "-j", "2", "-t", "200", "-M", "prepared").assertSuccess().output();
        assertThat(out).contains("number of transactions actually processed: 800/800");
        assertThat(directCount("select count(*) from pgbench_history")).isEqualTo(800);
    }

    private static long number(Pattern pattern, String out) {
        Matcher m = pattern.matcher(out);
        assertThat(m.find()).as("'%s' in the output:\n%s", pattern.pattern(), out).isTrue();
        return Long.parseLong(m.group(1));
    }
}
