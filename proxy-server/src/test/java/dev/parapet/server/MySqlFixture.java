package dev.parapet.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the MySQL integration tests share: the demo data in database {@code parapet_it_mysql} of
 * the machine's real MariaDB (127.0.0.1:3306 as root unless PARAPET_IT_MY_HOST / _PORT / _USER
 * say otherwise), a gateway configuration with a {@code mysql} listener and target {@code it}
 * in front of it, and the ways clients reach it: both Connector/Js and the command-line tools.
 */
final class MySqlFixture {

    static final String HOST = System.getenv().getOrDefault("PARAPET_IT_MY_HOST", "127.0.0.1");
    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("PARAPET_IT_MY_PORT", "3306"));
    static final String SUPERUSER = System.getenv().getOrDefault("PARAPET_IT_MY_USER", "root");
    static final String DATABASE = "parapet_it_mysql";

    private static boolean seeded;

    private MySqlFixture() {
    }

    /** Creates and seeds the test database once per test JVM. */
    static synchronized void prepareDatabase() throws SQLException {
        if (!seeded) {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + HOST + ":" + PORT + "/", SUPERUSER, "")) {
                DemoData.seedMySql(c, DATABASE);
            }
            seeded = true;
        }
    }

    /** A direct connection to the real database, bypassing the gateway. */
    static Connection direct() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://" + HOST + ":" + PORT + "/" + DATABASE, SUPERUSER, "");
    }

    /**
     * A gateway with the MySQL listener, target {@code it} on the test database, development users
     * alice (analysts), bob (dba), carol (readers), dave (limited) and erin (strict), and the
     * policy files of {@code policies} (none when null); {@code extraYaml} is appended.
     */
    static GatewayFixture start(Path policies, String extraYaml) throws Exception {
        prepareDatabase();
        return GatewayFixture.start(config(policies, extraYaml));
    }

    /** The configuration {@link #start} starts a gateway with, for tests that change one of its settings. */
    static String config(Path policies, String extraYaml) {
        return """
                listeners:
                  postgres: {host: 127.0.0.1, port: 0}
                  mysql: {host: 127.0.0.1, port: 0}
                  admin: {host: 127.0.0.1, port: 0}
                tls: {self-signed: true}
                client-auth: {allow-cleartext-on-loopback: true}
                dev-users:
                  enabled: true
                  users:
                    - {name: alice, password: alice-pw, groups: [analysts]}
                    - {name: bob, password: bob-pw, groups: [dba]}
                    - {name: carol, password: carol-pw, groups: [readers]}
                    - {name: dave, password: dave-pw, groups: [limited]}
                    - {name: erin, password: erin-pw, groups: [strict]}
                targets:
                  - name: it
                    protocol: mariadb
                    environment: test
                    upstream: {host: %s, port: %d, database: %s, user: %s}
                limits:
                  max-message-size: 1MiB
                  startup-timeout: 3s
                shutdown: {grace: 2s}
                """.formatted(HOST, PORT, DATABASE, SUPERUSER)
                + (policies == null ? "" : "policies: " + policies + "\n")
                + (extraYaml == null ? "" : extraYaml);
    }

    static int port(GatewayFixture gateway) {
        return gateway.server().mysqlAddress().getPort();
    }

    /** MariaDB Connector/J through the gateway; {@code params} are URL parameters. */
    static Connection mariadb(GatewayFixture gateway, String user, String params) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port(gateway) + "/it?user=" + user
                + "&password=" + user + "-pw" + (params.isEmpty() ? "" : "&" + params));
    }

    /** MySQL Connector/J through the gateway; {@code params} are URL parameters. */
    static Connection mysql(GatewayFixture gateway, String user, String params) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port(gateway) + "/it?user=" + user
                + "&password=" + user + "-pw&connectTimeout=10000" + (params.isEmpty() ? "" : "&" + params));
    }

    /** The command-line client through the gateway over TLS; {@code args} follow the connection options. */
    static GatewayFixture.Result cli(GatewayFixture gateway, String user, String password, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mariadb", "--no-defaults", "-h", "127.0.0.1", "-P",
                String.valueOf(port(gateway)), "-u", user, "-p" + password, "--ssl", "--connect-timeout=10"));
        cmd.addAll(List.of(args));
        return GatewayFixture.run(Map.of(), null, cmd.toArray(String[]::new));
    }

    /** Every row of a result as {@code a|b|c} lines. */
    static String rows(ResultSet rs) throws SQLException {
        StringBuilder out = new StringBuilder();
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            for (int i = 1; i <= columns; i++) {
                out.append(rs.getString(i)).append('|');
            }
            out.append('\n');
        }
        return out.toString();
    }

    static String query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rows(rs);
        }
    }

    static Path policies(String name, String rules) throws IOException {
        Path dir = GatewayFixture.tempDir(name);
        Files.writeString(dir.resolve("rules.yaml"), rules);
        return dir;
    }
}
