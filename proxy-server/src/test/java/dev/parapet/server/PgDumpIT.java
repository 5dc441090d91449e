package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pg_dump through the gateway (its catalog queries, a repeatable-read snapshot, COPY out of
 * every table), and the dump restored directly into a fresh database: the restored tables hold
 * the same rows as the originals.
 */
class PgDumpIT {

    static final String RESTORED = "parapet_it_restored";
    static final List<String> TABLES = List.of("customers", "payment_cards", "orders");

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.shared();
    }

    @AfterAll
    static void noLeaks() {
        GatewayFixture.assertNoLeaks();
    }

    @Test
    void dumpsThroughTheGatewayAndRestoresDirectly() throws Exception {
        Path dir = GatewayFixture.tempDir("pg-dump");
        Path dump = dir.resolve("parapet_it.sql");
        GatewayFixture.run(Map.of("PGPASSWORD", "bob-pw", "PGCONNECT_TIMEOUT", "10"), dir,
                "pg_dump", "--format=plain", "--no-owner", "--file=" + dump,
                "--dbname=" + gateway.conninfo("it", "bob", "disable")).assertSuccess();
        String sql = Files.readString(dump);
        for (String table : TABLES) {
            assertThat(sql).contains("CREATE TABLE public." + table + " (");
            assertThat(sql).containsPattern("COPY public\\." + table + " \\([a-z_, ]+\\) FROM stdin;");
        }
        assertThat(sql).contains("ALTER TABLE ONLY public.orders").contains("FOREIGN KEY (customer_id) REFERENCES public.customers(id)");
        assertThat(sql).contains("Kowalski").contains("@example.com");

        try (Connection admin = GatewayFixture.direct("postgres"); Statement st = admin.createStatement()) {
            st.execute("drop database if exists " + RESTORED + " with (force)");
            st.execute("create database " + RESTORED);
        }
        GatewayFixture.run(Map.of("PGCONNECT_TIMEOUT", "10"), dir, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "host=" + GatewayFixture.PG_HOST + " port=" + GatewayFixture.PG_PORT + " dbname=" + RESTORED
                        + " user=" + GatewayFixture.PG_SUPERUSER + " sslmode=disable",
                "-f", dump.toString()).assertSuccess();

        for (String table : TABLES) {
            Fingerprint original = fingerprint(GatewayFixture.DATABASE, table);
            Fingerprint restored = fingerprint(RESTORED, table);
            assertThat(original.rows()).as("rows in %s", table).isPositive();
            assertThat(restored).as("restored %s", table).isEqualTo(original);
            assertThat(copyLines(sql, table)).as("COPY lines of %s in the dump", table).isEqualTo(original.rows());
        }
        try (Connection admin = GatewayFixture.direct("postgres"); Statement st = admin.createStatement()) {
            st.execute("drop database " + RESTORED + " with (force)");
        }
    }

    /** Row count and a digest of every row's text, in primary-key order. */
    record Fingerprint(long rows, String digest) {
    }

    private static Fingerprint fingerprint(String database, String table) throws SQLException {
        try (Connection c = GatewayFixture.direct(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*), md5(coalesce(string_agg(t::text, '|' order by t.id), ''))"
                     + " from public." + table + " t")) {
            rs.next();
            return new Fingerprint(rs.getLong(1), rs.getString(2));
        }
    }

    private static long copyLines(String sql, String table) {
        int start = sql.indexOf('\n', sql.indexOf("COPY public." + table + " (")) + 1;
        int end = sql.indexOf("\n\\.\n", start);
        return end == start - 1 ? 0 : sql.substring(start, end + 1).lines().count();
    }
}
