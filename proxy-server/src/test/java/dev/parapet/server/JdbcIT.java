package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.PGResultSetMetaData;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyManager;

/**
 * pgJDBC through the gateway: the extended protocol in the ways the driver really uses it
 * (unnamed and named statements, binary transfer, batches, COPY, cancel, notifications, TLS),
 * each checked against what a direct connection to the same database sees.
 */
class JdbcIT {

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.shared();
    }

    @AfterAll
    static void noLeaks() {
        GatewayFixture.assertNoLeaks();
    }

    private static Connection connect(Map<String, String> properties) throws SQLException {
        return gateway.connect("it", "bob", "bob-pw", properties);
    }

    /** Runs statements directly on the database, bypassing the gateway. */
    private static void direct(String... statements) throws SQLException {
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private static long directCount(String sql) throws SQLException {
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void bindsParametersOfPreparedStatements() throws Exception {
        String sql = "select id, full_name, email, date_of_birth from customers where id between ? and ? and city <> ? order by id";
        List<String> viaGateway;
        try (Connection c = connect(Map.of()); PreparedStatement ps = c.prepareStatement(sql)) {
            viaGateway = rows(ps, 20, 60, "Lisbon");
        }
        List<String> direct;
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); PreparedStatement ps = c.prepareStatement(sql)) {
            direct = rows(ps, 20, 60, "Lisbon");
        }
        assertThat(viaGateway).isNotEmpty().hasSizeLessThanOrEqualTo(41).isEqualTo(direct);
    }

    private static List<String> rows(PreparedStatement ps, int from, int to, String city) throws SQLException {
        ps.setInt(1, from);
        ps.setInt(2, to);
        ps.setString(3, city);
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getDate(4));
            }
        }
        return out;
    }

    @Test
    void switchesToServerSidePreparedStatementsAtTheThreshold() throws Exception {
        String sql = "select full_name from customers where id = ? /* threshold-check */";
        try (Connection c = connect(Map.of())) {  // pgJDBC's default prepareThreshold: 5
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 1; i <= 3; i++) {
                    assertThat(nameOf(ps, i)).isEqualTo(directName(i));
                }
                assertThat(namedStatements(c, "threshold-check")).as("named statements before the threshold").isZero();
                for (int i = 4; i <= 12; i++) {
                    assertThat(nameOf(ps, i)).isEqualTo(directName(i));
                }
                assertThat(ps.unwrap(PGStatement.class).isUseServerPrepare()).isTrue();
                assertThat(namedStatements(c, "threshold-check")).as("named statements after the threshold").isOne();
            }
        }
        try (Connection c = connect(Map.of("prepareThreshold", "1")); PreparedStatement ps = c.prepareStatement(sql)) {
            assertThat(nameOf(ps, 42)).isEqualTo(directName(42));
            assertThat(namedStatements(c, "threshold-check")).as("named statements with prepareThreshold=1").isOne();
            for (int i = 43; i <= 50; i++) {
                assertThat(nameOf(ps, i)).isEqualTo(directName(i));
            }
        }
    }

    private static String nameOf(PreparedStatement ps, int id) throws SQLException {
        ps.setInt(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static String directName(int id) throws SQLException {
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE);
             PreparedStatement ps = c.prepareStatement("select full_name from customers where id = ?")) {
            return nameOf(ps, id);
        }
    }

    /** Statements this session prepared at the protocol level (named Parse), whose text contains {@code marker}. */
    private static long namedStatements(Connection c, String marker) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                // Split so that this query's own text (prepared too, with prepareThreshold=1) does not match.
                "select count(*) from pg_prepared_statements where not from_sql and statement like '%"
                        + marker.charAt(0) + "' || '" + marker.substring(1) + "%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void transfersValuesInBinary() throws Exception {
        byte[] bytes = new byte[4096];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        UUID uuid = UUID.fromString("5b1e4c5e-8f3a-4b3a-9d5e-2f1c0a7b9e11");
        direct("drop table if exists jdbc_it_binary",
                "create table jdbc_it_binary (id int primary key, big bigint, amount numeric(20,6), at timestamp,"
                        + " at_tz timestamptz, day date, data bytea, uid uuid, ratio float8, flag bool, tags int[], label text)");
        String insert = "insert into jdbc_it_binary values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection c = connect(Map.of("binaryTransfer", "true", "prepareThreshold", "-1"));
             PreparedStatement ps = c.prepareStatement(insert)) {
            for (int id = 1; id <= 50; id++) {
                ps.setInt(1, id);
                ps.setLong(2, id % 2 == 0 ? Long.MAX_VALUE - id : Long.MIN_VALUE + id);
                ps.setBigDecimal(3, new BigDecimal("-12345678901234.123456").add(BigDecimal.valueOf(id * 1_000_003L, 6)));
                ps.setObject(4, java.time.LocalDateTime.of(1999, 12, 31, 23, 59, 59, 123_456_000).plusDays(id * 37L));
                ps.setObject(5, java.time.OffsetDateTime.of(2024, 2, 29, 12, 0, 0, 654_321_000, java.time.ZoneOffset.ofHours(5)).plusHours(id));
                ps.setObject(6, java.time.LocalDate.of(1900, 1, 1).plusDays(id * 1001L));
                ps.setBytes(7, Arrays.copyOf(bytes, id * 80));
                ps.setObject(8, new UUID(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits() + id));
                ps.setDouble(9, Math.PI * id);
                ps.setBoolean(10, id % 3 == 0);
                ps.setArray(11, c.createArrayOf("int4", new Integer[] {id, -id, id * id}));
                ps.setString(12, "zürich €" + id);
                ps.executeUpdate();
            }
        }
        String select = "select * from jdbc_it_binary where id >= ? order by id";
        List<List<Object>> viaGateway = new ArrayList<>();
        try (Connection c = connect(Map.of("binaryTransfer", "true", "prepareThreshold", "-1"));
             PreparedStatement ps = c.prepareStatement(select)) {
            for (int round = 0; round < 3; round++) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    PGResultSetMetaData meta = rs.getMetaData().unwrap(PGResultSetMetaData.class);
                    for (int column : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}) {
                        assertThat(meta.getFormat(column)).as("format of column %d (1 = binary)", column).isEqualTo(1);
                    }
                    viaGateway = values(rs);
                }
            }
        }
        List<List<Object>> direct;
        Properties text = new Properties();
        text.setProperty("user", GatewayFixture.PG_SUPERUSER);
        text.setProperty("binaryTransfer", "false");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + GatewayFixture.PG_HOST + ":"
                + GatewayFixture.PG_PORT + "/" + GatewayFixture.DATABASE, text);
             PreparedStatement ps = c.prepareStatement(select)) {
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.getMetaData().unwrap(PGResultSetMetaData.class).getFormat(7)).as("direct: text").isZero();
                direct = values(rs);
            }
        }
        assertThat(viaGateway).hasSize(50);
        for (int i = 0; i < 50; i++) {
            List<Object> g = viaGateway.get(i);
            List<Object> d = direct.get(i);
            assertThat(g).hasSameSizeAs(d);
            for (int col = 0; col < g.size(); col++) {
                Object gv = g.get(col);
                Object dv = d.get(col);
                if (gv instanceof byte[] gb) {
                    assertThat(gb).as("row %d column %d", i + 1, col + 1).isEqualTo((byte[]) dv);
                } else {
                    assertThat(gv).as("row %d column %d", i + 1, col + 1).isEqualTo(dv);
                }
            }
        }
        assertThat((byte[]) viaGateway.get(49).get(6)).isEqualTo(Arrays.copyOf(bytes, 50 * 80));
        direct("drop table jdbc_it_binary");
    }

    private static List<List<Object>> values(ResultSet rs) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
            List<Object> row = new ArrayList<>();
            row.add(rs.getInt(1));
            row.add(rs.getLong(2));
            row.add(rs.getBigDecimal(3));
            row.add(rs.getObject(4, java.time.LocalDateTime.class));
            row.add(rs.getObject(5, java.time.OffsetDateTime.class));
            row.add(rs.getObject(6, java.time.LocalDate.class));
            row.add(rs.getBytes(7));
            row.add(rs.getObject(8, UUID.class));
            row.add(rs.getDouble(9));
            row.add(rs.getBoolean(10));
            row.add(Arrays.asList((Integer[]) rs.getArray(11).getArray()));
            row.add(rs.getString(12));
            rows.add(row);
        }
        return rows;
    }

    @Test
    void executesBatches() throws Exception {
        direct("drop table if exists jdbc_it_batch", "create table jdbc_it_batch (id int primary key, note text)");
        try (Connection c = connect(Map.of()); PreparedStatement ps = c.prepareStatement("insert into jdbc_it_batch values (?, ?)")) {
            for (int i = 0; i < 1000; i++) {
                ps.setInt(1, i);
                ps.setString(2, "plain " + i);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            assertThat(counts).hasSize(1000).containsOnly(1);
        }
        try (Connection c = connect(Map.of("reWriteBatchedInserts", "true"));
             PreparedStatement ps = c.prepareStatement("insert into jdbc_it_batch (id, note) values (?, ?)")) {
            for (int i = 1000; i < 3500; i++) {
                ps.setInt(1, i);
                ps.setString(2, "rewritten " + i);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            assertThat(counts).hasSize(2500).containsOnly(Statement.SUCCESS_NO_INFO);
            try (Statement st = c.createStatement()) {
                st.addBatch("update jdbc_it_batch set note = 'updated' where id < 10");
                st.addBatch("delete from jdbc_it_batch where id >= 3400");
                assertThat(st.executeBatch()).containsExactly(10, 100);
            }
        }
        assertThat(directCount("select count(*) from jdbc_it_batch")).isEqualTo(3400);
        assertThat(directCount("select count(*) from jdbc_it_batch where note like 'rewritten %'")).isEqualTo(2400);
        assertThat(directCount("select count(*) from jdbc_it_batch where note = 'updated'")).isEqualTo(10);
        direct("drop table jdbc_it_batch");
    }

    @Test
    void commitsAndRollsBackTransactions() throws Exception {
        direct("drop table if exists jdbc_it_tx", "create table jdbc_it_tx (id int primary key, state text)");
        try (Connection c = connect(Map.of()); PreparedStatement ps = c.prepareStatement("insert into jdbc_it_tx values (?, ?)")) {
            c.setAutoCommit(false);
            ps.setInt(1, 1);
            ps.setString(2, "rolled back");
            ps.executeUpdate();
            assertThat(directCount("select count(*) from jdbc_it_tx")).as("uncommitted row seen directly").isZero();
            c.rollback();

            ps.setInt(1, 2);
            ps.setString(2, "committed");
            ps.executeUpdate();
            var savepoint = c.setSavepoint();
            ps.setInt(1, 3);
            ps.setString(2, "rolled back to savepoint");
            ps.executeUpdate();
            c.rollback(savepoint);
            ps.setInt(1, 4);
            ps.setString(2, "committed");
            ps.executeUpdate();
            c.commit();

            // A failed statement aborts the transaction; the rollback leaves the session usable.
            ps.setInt(1, 5);
            ps.setString(2, "rolled back after an error");
            ps.executeUpdate();
            ps.setInt(1, 2);
            assertThatThrownBy(ps::executeUpdate).isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23505");
            c.rollback();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from jdbc_it_tx")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
        assertThat(directCount("select count(*) from jdbc_it_tx where state = 'committed' and id in (2, 4)")).isEqualTo(2);
        assertThat(directCount("select count(*) from jdbc_it_tx")).isEqualTo(2);
        direct("drop table jdbc_it_tx");
    }

    @Test
    void copiesInAndOut() throws Exception {
        direct("drop table if exists jdbc_it_copy", "create table jdbc_it_copy (id int, name text, amount numeric(12,2))");
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            String name = switch (i % 5) {
                case 0 -> "\"with, comma " + i + "\"";
                case 1 -> "\"with \"\"quotes\"\" " + i + "\"";
                case 2 -> "\"two\nlines " + i + "\"";
                case 3 -> "grüße " + i;
                default -> "plain " + i;
            };
            csv.append(i).append(',').append(name).append(',').append(BigDecimal.valueOf(i * 7L, 2)).append('\n');
        }
        String in = csv.toString();
        try (Connection c = connect(Map.of())) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            long copied = copy.copyIn("copy jdbc_it_copy from stdin with (format csv)", new StringReader(in));
            assertThat(copied).isEqualTo(50_000);
            StringWriter out = new StringWriter();
            long exported = copy.copyOut("copy (select * from jdbc_it_copy order by id) to stdout with (format csv)", out);
            assertThat(exported).isEqualTo(50_000);
            assertThat(out.toString()).isEqualTo(in);
            // The session goes on normally after COPY.
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select sum(amount) from jdbc_it_copy")) {
                rs.next();
                assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(BigDecimal.valueOf(7L * 49_999 * 50_000 / 2, 2));
            }
        }
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE)) {
            StringWriter out = new StringWriter();
            c.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("copy (select * from jdbc_it_copy order by id) to stdout with (format csv)", out);
            assertThat(out.toString()).as("the table as a direct connection sees it").isEqualTo(in);
        }
        direct("drop table jdbc_it_copy");
    }

    @Test
    void cancelsARunningStatement() throws Exception {
        try (Connection c = connect(Map.of()); Statement st = c.createStatement()) {
            CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1000);
                    st.cancel();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            assertThatThrownBy(() -> st.executeQuery("select pg_sleep(30)"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("57014");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            cancel.get(5, TimeUnit.SECONDS);
            try (ResultSet rs = st.executeQuery("select 'still usable'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("still usable");
            }
        }
    }

    @Test
    void deliversNotifications() throws Exception {
        try (Connection listener = connect(Map.of()); Connection sender = connect(Map.of())) {
            try (Statement st = listener.createStatement()) {
                st.execute("listen jdbc_it_channel");
            }
            direct("notify jdbc_it_channel, 'from a direct session'");
            try (Statement st = sender.createStatement()) {
                st.execute("select pg_notify('jdbc_it_channel', 'through the gateway')");
            }
            List<String> payloads = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (payloads.size() < 2 && System.nanoTime() < deadline) {
                PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(1000);
                for (PGNotification n : Objects.requireNonNullElse(got, new PGNotification[0])) {
                    assertThat(n.getName()).isEqualTo("jdbc_it_channel");
                    payloads.add(n.getParameter());
                }
            }
            assertThat(payloads).containsExactly("from a direct session", "through the gateway");
        }
    }

    @Test
    void aSessionRecognisesItsOwnNotificationsByTheProcessIdItWasGiven() throws Exception {
        try (Connection c = connect(Map.of()); Statement st = c.createStatement()) {
            PGConnection pg = c.unwrap(PGConnection.class);
            st.execute("listen jdbc_it_self");
            st.execute("notify jdbc_it_self, 'mine'");
            PGNotification[] got = pg.getNotifications(5000);
            assertThat(got).isNotNull().hasSize(1);
            assertThat(got[0].getParameter()).isEqualTo("mine");
            assertThat(got[0].getPID()).as("the sender's process id, as this session knows its own")
                    .isEqualTo(pg.getBackendPID());
        }
    }

    @Test
    void keepsTheCallerInApplicationNameWhenTheDriverSetsItsOwn() throws Exception {
        // Without assumeMinServerVersion, pgJDBC names itself with a SET right after connecting.
        try (Connection c = GatewayFixture.shared().connect("it", "alice", "alice-pw", Map.of("ApplicationName", "billing"));
             Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("show application_name");
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("parapet:alice:billing");
            st.execute("set application_name = 'nightly'");
            rs = st.executeQuery("show application_name");
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("parapet:alice:nightly");
        }
    }

    @Test
    void connectsOverTls() throws Exception {
        // With sslmode=require pgJDBC refuses a server that declines TLS, so a working session proves TLS.
        try (Connection c = connect(Map.of("sslmode", "require")); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from customers")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(directCount("select count(*) from customers"));
        }
    }
}
