package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit trail when its sink goes away: the PostgreSQL (jdbc) sink of a real database whose
 * login is taken away mid-stream and given back. Events wait in the spool on disk and arrive
 * afterwards, each exactly once and in order; a fail-closed target refuses statements once the
 * spool is full and resumes when the sink is back; a gateway stopped while the sink is down hands
 * its events to the next start.
 */
class AuditOutageIT {

    private static final String AUDIT_DB = "parapet_audit_it";
    private static final String WRITER = "parapet_audit_writer";

    private Path spool;
    private GatewayFixture gateway;

    @BeforeAll
    static void database() throws Exception {
        try (Connection admin = GatewayFixture.direct("postgres"); Statement st = admin.createStatement()) {
            try (ResultSet rs = st.executeQuery("select 1 from pg_database where datname = '" + AUDIT_DB + "'")) {
                if (!rs.next()) {
                    st.execute("create database " + AUDIT_DB);
                }
            }
            try (ResultSet rs = st.executeQuery("select 1 from pg_roles where rolname = '" + WRITER + "'")) {
                if (!rs.next()) {
                    st.execute("create role " + WRITER + " login");
                }
            }
            st.execute("alter role " + WRITER + " login");
            st.execute("grant all on database " + AUDIT_DB + " to " + WRITER);
        }
        try (Connection c = GatewayFixture.direct(AUDIT_DB); Statement st = c.createStatement()) {
            st.execute("grant all on schema public to " + WRITER);
        }
    }

    @BeforeEach
    void start() throws Exception {
        spool = GatewayFixture.tempDir("audit-spool");
        try (Connection c = GatewayFixture.direct(AUDIT_DB); Statement st = c.createStatement()) {
            st.execute("drop table if exists parapet_audit");
        }
        gateway = GatewayFixture.start(config(spool, "64KiB"));
    }

    @AfterEach
    void stop() throws Exception {
        sinkUp();
        if (gateway != null) {
            gateway.stop();
        }
        GatewayFixture.assertNoLeaks();
    }

    private static String config(Path spool, String spoolMax) {
        return GatewayFixture.defaultConfigWithTargets(
                "- {name: prodlike, environment: prod, upstream: {host: " + GatewayFixture.PG_HOST + ", port: "
                        + GatewayFixture.PG_PORT + ", database: " + GatewayFixture.DATABASE + ", user: "
                        + GatewayFixture.PG_SUPERUSER + "}}")
                + """
                audit:
                  flush-interval: 10ms
                  retry-backoff: 20ms
                  retry-backoff-max: 100ms
                  spool-directory: %s
                  spool-max-size: %s
                  sinks:
                    - type: jdbc
                      url: jdbc:postgresql://%s:%d/%s
                      user: %s
                      timeout: 3s
                """.formatted(spool, spoolMax, GatewayFixture.PG_HOST, GatewayFixture.PG_PORT, AUDIT_DB, WRITER);
    }

    /** The sink's database takes the writer's login away and drops its connections. */
    private static void sinkDown() throws SQLException {
        try (Connection admin = GatewayFixture.direct("postgres"); Statement st = admin.createStatement()) {
            st.execute("alter role " + WRITER + " nologin");
            st.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = '" + WRITER + "'");
        }
    }

    private static void sinkUp() throws SQLException {
        try (Connection admin = GatewayFixture.direct("postgres"); Statement st = admin.createStatement()) {
            st.execute("alter role " + WRITER + " login");
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = GatewayFixture.direct(AUDIT_DB); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return 0; // the sink has not created its table yet
            }
            throw e;
        }
    }

    /** The aliases of the marked statements, in the order the sink's events say they ran. */
    private static List<String> markedInOrder(String prefix) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = GatewayFixture.direct(AUDIT_DB);
             PreparedStatement ps = c.prepareStatement("select substring(event->>'db.query.text' from '(" + prefix
                     + "[0-9]+)') from parapet_audit where event->>'db.query.text' like ? order by time, id")) {
            ps.setString(1, "%" + prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - until).as(what).isNegative();
            Thread.sleep(20);
        }
    }

    private static BooleanSupplier counted(String sql, long expected) {
        return () -> {
            try {
                return count(sql) >= expected;
            } catch (SQLException e) {
                return false;
            }
        };
    }

    private static List<String> names(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    private double spooled() {
        return gateway.server().registry().find("parapet.audit.spool.bytes").gauges().stream().mapToDouble(g -> g.value()).sum();
    }

    @Test
    void eventsWrittenWhileTheSinkIsDownArriveAfterwardsExactlyOnceAndInOrder() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of()); Statement st = c.createStatement()) {
            for (int i = 0; i < 50; i++) {
                st.executeQuery("select " + i + " as mark" + i).close();
            }
            await("the first events reach the sink", counted("select count(*) from parapet_audit where event->>'db.query.text' like '%mark%'", 50));
            sinkDown();
            for (int i = 50; i < 250; i++) {
                st.executeQuery("select " + i + " as mark" + i).close();
            }
            await("the events wait in the spool", () -> spooled() > 0);
            sinkUp();
            for (int i = 250; i < 300; i++) {
                st.executeQuery("select " + i + " as mark" + i).close();
            }
        }
        await("every event arrives", counted("select count(*) from parapet_audit where event->>'db.query.text' like '%mark%'", 300));
        assertThat(count("select count(*) - count(distinct id) from parapet_audit")).as("no event twice").isZero();
        assertThat(markedInOrder("mark")).containsExactlyElementsOf(names("mark", 0, 300));
        await("the disconnect too", counted("select count(*) from parapet_audit where event_name = 'parapet.disconnect'", 1));
        assertThat(gateway.server().registry().find("parapet.audit.write.failures").counters().stream()
                .mapToDouble(counter -> counter.count()).sum()).isPositive();
    }

    @Test
    void aFailClosedTargetRefusesOnceTheSpoolIsFullAndResumesWhenTheSinkIsBack() throws Exception {
        try (Connection c = gateway.connect("prodlike", "bob", "bob-pw", Map.of()); Statement st = c.createStatement()) {
            st.executeQuery("select 1").close();
            sinkDown();
            SQLException refused = null;
            int ran = 0;
            for (int i = 0; i < 5_000 && refused == null; i++) {
                final int n = i;
                refused = catchThrowableOfType(SQLException.class,
                        () -> st.executeQuery("select " + n + " as filler" + n + ", 'x' as padding_padding_padding").close());
                if (refused == null) {
                    ran++;
                }
            }
            assertThat((Object) refused).as("refused once the 64 KiB spool is full").isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("58000");
            assertThat(refused.getMessage()).contains("fail-closed");
            assertThat(ran).as("statements ran while the spool had room").isGreaterThan(50);
            sinkUp();
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean back = false;
            while (!back && System.nanoTime() < until) {
                try {
                    st.executeQuery("select 'back' as resumed").close();
                    back = true;
                } catch (SQLException stillRefused) {
                    Thread.sleep(50);
                }
            }
            assertThat(back).as("statements run again once the sink takes the spool").isTrue();
            await("every statement that ran is recorded",
                    counted("select count(*) from parapet_audit where event->>'db.query.text' like '%filler%'", ran));
        }
    }

    @Test
    void aGatewayStoppedWhileTheSinkIsDownHandsItsEventsToTheNextStart() throws Exception {
        gateway.stop();
        gateway = GatewayFixture.start(config(spool, "4MiB"));
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of()); Statement st = c.createStatement()) {
            st.executeQuery("select 1 as warmup").close();
            await("the sink works", counted("select count(*) from parapet_audit", 1));
            sinkDown();
            for (int i = 0; i < 100; i++) {
                st.executeQuery("select " + i + " as kept" + i).close();
            }
        }
        gateway.stop();
        gateway = null;
        assertThat(java.nio.file.Files.size(spool.resolve("jdbc").resolve("spool.jsonl"))).as("spooled at shutdown").isPositive();
        assertThat(count("select count(*) from parapet_audit where event->>'db.query.text' like '%kept%'")).isZero();
        sinkUp();
        gateway = GatewayFixture.start(config(spool, "4MiB"));
        await("delivered by the next gateway", counted("select count(*) from parapet_audit where event->>'db.query.text' like '%kept%'", 100));
        assertThat(markedInOrder("kept")).containsExactlyElementsOf(names("kept", 0, 100));
        assertThat(count("select count(*) - count(distinct id) from parapet_audit")).isZero();
        await("the session's disconnect too", counted("select count(*) from parapet_audit where event_name = 'parapet.disconnect'", 1));
    }
}
