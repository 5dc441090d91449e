package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The MySQL frontend with real clients against the real MariaDB: the command-line client over TLS
 * and with the clear-text plugin, and both Connector/Js with and without server-side prepared
 * statements, cursors and TLS, doing what applications do (parameters, batches, several result
 * sets, long data, transactions, cancel, metadata).
 */
class MySqlIT {

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = MySqlFixture.start(MySqlFixture.policies("mysql-it", """
                rules:
                  - id: no-drop
                    kind: deny-statements
                    statements: [drop, truncate]
                """), null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop();
        GatewayFixture.assertNoLeaks();
    }

    // --- the command-line client

    @Test
    void cliQueriesOverTls() throws Exception {
        var result = MySqlFixture.cli(gateway, "bob", "bob-pw", "it", "-N", "-e",
                "select count(*) from customers; select database(); show status like 'Ssl_cipher'");
        result.assertSuccess();
        String customers = MySqlFixture.query(directly(), "select count(*) from customers").replace("|\n", "");
        assertThat(result.output()).startsWith(customers + "\n").contains(MySqlFixture.DATABASE);
    }

    @Test
    void cliWithTheClearTextPluginWithoutTls() throws Exception {
        var result = GatewayFixture.run(java.util.Map.of(), null, "mariadb", "--no-defaults", "-h", "127.0.0.1",
                "-P", String.valueOf(MySqlFixture.port(gateway)), "-u", "bob", "-pbob-pw", "--skip-ssl",
                "--enable-cleartext-plugin", "--default-auth=mysql_clear_password", "it", "-N", "-e",
                "select id from customers where id = 7");
        result.assertSuccess();
        assertThat(result.output()).doesNotContain("ERROR").endsWith("\n7\n");
    }

    @Test
    void cliDenialNamesTheRule() throws Exception {
        var result = MySqlFixture.cli(gateway, "bob", "bob-pw", "it", "-e", "drop table customers");
        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("ERROR 1142").contains("42000").contains("no-drop");
        assertThat(MySqlFixture.query(directly(), "select count(*) from customers")).isNotEqualTo("0|\n");
    }

    @Test
    void cliWithAWrongPasswordGets1045() throws Exception {
        var result = MySqlFixture.cli(gateway, "bob", "wrong", "it", "-e", "select 1");
        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("ERROR 1045").contains("28000");
    }

    @Test
    void cliWithAnUnknownTargetGets1049() throws Exception {
        var result = MySqlFixture.cli(gateway, "bob", "bob-pw", "nosuchtarget", "-e", "select 1");
        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("ERROR 1049").contains("42000").contains("nosuchtarget");
    }

    @Test
    void cliUseOfTheTargetNameLandsInItsDatabase() throws Exception {
        var result = MySqlFixture.cli(gateway, "bob", "bob-pw", "-N", "-e", "use it; select database()");
        // no database given: the user name is the target, which does not exist
        assertThat(result.exitCode()).isEqualTo(1);
        result = MySqlFixture.cli(gateway, "bob", "bob-pw", "it", "-N", "-e", "use it; select database(); select count(*) from orders");
        result.assertSuccess();
        assertThat(result.output()).contains(MySqlFixture.DATABASE);
    }

    private static Connection direct;

    private static synchronized Connection directly() throws SQLException {
        if (direct == null || direct.isClosed()) {
            direct = MySqlFixture.direct();
        }
        return direct;
    }

    // --- both Connector/Js, server-side prepared statements on and off, TLS on and off

    record Client(String name, boolean mysqlDriver, String params) {
        boolean serverPrepared() {
            return params.contains("useServerPrepStmts=true");
        }

        Connection open(String user) throws SQLException {
            return mysqlDriver ? MySqlFixture.mysql(gateway, user, params) : MySqlFixture.mariadb(gateway, user, params);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Client> clients() {
        return Stream.of(
                new Client("mariadb text tls", false, "sslMode=trust&allowMultiQueries=true"),
                new Client("mariadb prepared tls", false, "sslMode=trust&useServerPrepStmts=true&allowMultiQueries=true"),
                // MariaDB Connector/J, too, refuses mysql_clear_password without TLS ("a clear-text password
                // plugin requires TLS or a local unix socket"): the Connector/Js log in over TLS only
                new Client("mysql text tls", true, "sslMode=REQUIRED&allowMultiQueries=true"),
                new Client("mysql prepared tls", true,
                        "sslMode=REQUIRED&useServerPrepStmts=true&cachePrepStmts=true&allowMultiQueries=true"),
                new Client("mysql cursor tls", true,
                        "sslMode=REQUIRED&useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=2&allowMultiQueries=true"),
                // MySQL Connector/J sends mysql_clear_password only over TLS ("SSL connection required for plugin"),
                // and the gateway does not offer the RSA exchange: without TLS it cannot log in
                new Client("mysql cursor prepared-cache tls", true,
                        "sslMode=REQUIRED&useServerPrepStmts=true&cachePrepStmts=true&useCursorFetch=true&defaultFetchSize=2&allowMultiQueries=true"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void selectsWithParametersAndMetadata(Client client) throws Exception {
        try (Connection c = client.open("bob")) {
            try (PreparedStatement ps = c.prepareStatement(
                    "select id, full_name, email, date_of_birth, created_at from customers where id between ? and ? order by id")) {
                for (int run = 0; run < 2; run++) {
                    ps.setInt(1, 10);
                    ps.setInt(2, 14);
                    try (ResultSet rs = ps.executeQuery()) {
                        ResultSetMetaData md = rs.getMetaData();
                        assertThat(md.getColumnCount()).isEqualTo(5);
                        assertThat(md.getColumnName(3)).isEqualTo("email");
                        assertThat(md.getTableName(3)).isEqualTo("customers");
                        int n = 0;
                        while (rs.next()) {
                            assertThat(rs.getInt(1)).isEqualTo(10 + n);
                            assertThat(rs.getString(3)).contains("@");
                            assertThat(rs.getTimestamp(5)).isNotNull();
                            n++;
                        }
                        assertThat(n).isEqualTo(5);
                    }
                }
            }
            assertThat(c.getMetaData().getDatabaseProductName()).isNotBlank();
            try (ResultSet tables = c.getMetaData().getTables(null, null, "customers", null)) {
                assertThat(tables.next()).as("metadata lists the table").isTrue();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from orders")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isPositive();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void writesBatchesLongDataAndRollback(Client client) throws Exception {
        String table = "h5_items_" + Math.abs(System.nanoTime() % 1_000_000_000L);
        try (Connection c = client.open("bob"); Statement st = c.createStatement()) {
            st.execute("create table " + table + " (id int primary key, name varchar(40), payload longblob)");
            try {
                try (PreparedStatement ins = c.prepareStatement("insert into " + table + " (id, name) values (?, ?)")) {
                    for (int i = 1; i <= 20; i++) {
                        ins.setInt(1, i);
                        ins.setString(2, "item " + i);
                        ins.addBatch();
                    }
                    int[] counts = ins.executeBatch();
                    assertThat(counts).hasSize(20);
                }
                try (PreparedStatement upd = c.prepareStatement("update " + table + " set name = ? where id <= ?")) {
                    upd.setString(1, "cheap");
                    upd.setInt(2, 5);
                    assertThat(upd.executeUpdate()).isEqualTo(5);
                }
                byte[] blob = new byte[300_000];
                for (int i = 0; i < blob.length; i++) {
                    // every byte value: through COM_STMT_SEND_LONG_DATA, or inlined as _binary '...' in text mode
                    blob[i] = (byte) (i * 31);
                }
                {
                    try (PreparedStatement put = c.prepareStatement("update " + table + " set payload = ? where id = ?")) {
                        put.setBinaryStream(1, new ByteArrayInputStream(blob));
                        put.setInt(2, 7);
                        assertThat(put.executeUpdate()).isEqualTo(1);
                    }
                    try (PreparedStatement get = c.prepareStatement("select payload from " + table + " where id = ?")) {
                        get.setInt(1, 7);
                        try (ResultSet rs = get.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                            try (InputStream in = rs.getBinaryStream(1)) {
                                assertThat(Arrays.equals(in.readAllBytes(), blob)).as("the blob comes back whole").isTrue();
                            }
                        }
                    }
                }
                c.setAutoCommit(false);
                st.executeUpdate("delete from " + table + " where id > 10");
                assertThat(MySqlFixture.query(c, "select count(*) from " + table)).isEqualTo("10|\n");
                c.rollback();
                c.setAutoCommit(true);
                assertThat(MySqlFixture.query(c, "select count(*), sum(name = 'cheap') from " + table)).isEqualTo("20|5|\n");

                // several statements in one string, several result sets
                assertThat(st.execute("select 1 as a; select id from " + table + " where id <= 2 order by id; update "
                        + table + " set name = 'x' where id = 20")).isTrue();
                assertThat(MySqlFixture.rows(st.getResultSet())).isEqualTo("1|\n");
                assertThat(st.getMoreResults()).isTrue();
                assertThat(MySqlFixture.rows(st.getResultSet())).isEqualTo("1|\n2|\n");
                assertThat(st.getMoreResults()).isFalse();
                assertThat(st.getUpdateCount()).isEqualTo(1);
                assertThat(st.getMoreResults()).isFalse();
                assertThat(st.getUpdateCount()).isEqualTo(-1);
                // the connection still works after them
                assertThat(MySqlFixture.query(c, "select name from " + table + " where id = 20")).isEqualTo("x|\n");
            } finally {
                try (Statement drop = directly().createStatement()) {
                    drop.execute("drop table if exists " + table);
                }
            }
        }
    }

    static Stream<Client> clientsWithoutCursors() {
        return clients().filter(client -> !client.params().contains("useCursorFetch"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientsWithoutCursors")
    void cancelStopsARunningQueryAndTheConnectionGoesOn(Client client) throws Exception {
        try (Connection c = client.open("bob"); Statement st = c.createStatement()) {
            CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
                try (ResultSet rs = st.executeQuery("select sleep(20)")) {
                    rs.next();
                    return rs.getInt(1);
                } catch (SQLException e) {
                    return e;
                }
            });
            Thread.sleep(700);
            long started = System.nanoTime();
            st.cancel();
            Object outcome = running.get(10, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(10);
            // MariaDB's SLEEP() returns 1 when killed; drivers report an interrupted query as 1317
            if (outcome instanceof SQLException e) {
                assertThat(e.getErrorCode() == 1317 || e instanceof com.mysql.cj.jdbc.exceptions.MySQLStatementCancelledException)
                        .as(e.toString()).isTrue();
            } else {
                assertThat(outcome).isEqualTo(1);
            }
            assertThat(MySqlFixture.query(c, "select 42")).isEqualTo("42|\n");
        }
    }

    @Test
    void binaryBlobInlinedByATextModeDriver() throws Exception {
        // MariaDB Connector/J in text mode writes the bytes as _binary '...' (introducer and literal apart)
        String table = "h5_blob_" + Math.abs(System.nanoTime() % 1_000_000_000L);
        try (Connection c = clients().findFirst().orElseThrow().open("bob"); Statement st = c.createStatement()) {
            st.execute("create table " + table + " (id int primary key, payload longblob)");
            try (PreparedStatement put = c.prepareStatement("insert into " + table + " values (?, ?)")) {
                byte[] blob = new byte[300_000];
                for (int i = 0; i < blob.length; i++) {
                    blob[i] = (byte) (i * 31);
                }
                put.setInt(1, 1);
                put.setBinaryStream(2, new ByteArrayInputStream(blob));
                assertThat(put.executeUpdate()).isEqualTo(1);
            } finally {
                directly().createStatement().execute("drop table if exists " + table);
            }
        }
    }

    @Test
    void killQueryUsesTheIdTheClientKnows() throws Exception {
        try (Connection victim = MySqlFixture.mariadb(gateway, "bob", "sslMode=trust");
             Connection killer = MySqlFixture.mariadb(gateway, "bob", "sslMode=trust")) {
            // the id of the greeting, which the gateway maps to the database thread
            long id = victim.unwrap(org.mariadb.jdbc.Connection.class).getThreadId();
            CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return MySqlFixture.query(victim, "select sleep(20)");
                } catch (SQLException e) {
                    return e;
                }
            });
            Thread.sleep(700);
            try (Statement st = killer.createStatement()) {
                st.execute("kill query " + id);
            }
            Object outcome = running.get(10, TimeUnit.SECONDS);
            assertThat(outcome instanceof SQLException e && e.getErrorCode() == 1317).as("interrupted: %s", outcome).isTrue();
            assertThat(MySqlFixture.query(victim, "select 2")).isEqualTo("2|\n");
            SQLException unknown = catchThrowableOfType(SQLException.class,
                    () -> killer.createStatement().execute("kill query 987654"));
            assertThat(unknown.getErrorCode()).isEqualTo(1094);
            // a KILL the gateway cannot map never reaches the database as written: there, the id would name another thread
            for (String hidden : List.of("/* c */ kill query " + id, "/*!50000 kill query " + id + " */", "kill user bob")) {
                SQLException refused = catchThrowableOfType(SQLException.class, () -> killer.createStatement().execute(hidden));
                assertThat(refused.getErrorCode()).as(hidden).isEqualTo(1095);
            }
            // COM_STMT_PREPARE of a KILL is refused with 1295 (drivers then run it as a statement, which is mapped)
            try (RawMySqlConnection raw = RawMySqlConnection.loggedIn(MySqlFixture.port(gateway), "bob", "it")) {
                byte[] sql = ("kill query " + id).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                byte[] payload = new byte[1 + sql.length];
                payload[0] = 0x16;
                System.arraycopy(sql, 0, payload, 1, sql.length);
                raw.sendPacket(0, payload);
                RawMySqlConnection.ServerError refused = raw.expectError();
                assertThat(refused.code()).isEqualTo(1295);
            }

            // the id CONNECTION_ID() gives inside the session (the database's) works too, for the same caller only
            String databaseId = MySqlFixture.query(victim, "select connection_id()").replace("|\n", "");
            CompletableFuture<Object> again = CompletableFuture.supplyAsync(() -> {
                try {
                    return MySqlFixture.query(victim, "select sleep(20)");
                } catch (SQLException e) {
                    return e;
                }
            });
            Thread.sleep(700);
            try (Connection other = MySqlFixture.mariadb(gateway, "alice", "sslMode=trust")) {
                SQLException notYours = catchThrowableOfType(SQLException.class,
                        () -> other.createStatement().execute("kill query " + databaseId));
                assertThat(notYours.getErrorCode()).as("another identity cannot kill it").isEqualTo(1094);
            }
            killer.createStatement().execute("kill query " + databaseId);
            Object second = again.get(10, TimeUnit.SECONDS);
            assertThat(second instanceof SQLException e && e.getErrorCode() == 1317).as("interrupted: %s", second).isTrue();
        }
    }

    @Test
    void aDenialComesBackAs1142ThroughBothDrivers() throws Exception {
        for (Client client : List.of(clients().toList().get(1), clients().toList().get(3))) {
            try (Connection c = client.open("bob"); Statement st = c.createStatement()) {
                SQLException e = catchThrowableOfType(SQLException.class, () -> st.execute("truncate table orders"));
                assertThat(e.getErrorCode()).as(client.name()).isEqualTo(1142);
                assertThat(e.getSQLState()).isEqualTo("42000");
                assertThat(e.getMessage()).contains("no-drop");
                SQLException prepared = catchThrowableOfType(SQLException.class,
                        () -> c.prepareStatement("drop table orders").execute());
                assertThat(prepared.getErrorCode()).isEqualTo(1142);
                SQLException garbage = catchThrowableOfType(SQLException.class, () -> st.execute("selec frm where"));
                assertThat(garbage.getErrorCode()).isEqualTo(1064);
                assertThat(MySqlFixture.query(c, "select 1")).isEqualTo("1|\n");
            }
        }
    }
}
