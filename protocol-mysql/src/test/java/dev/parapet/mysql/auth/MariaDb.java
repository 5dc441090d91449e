package dev.parapet.mysql.auth;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The machine's real MariaDB (127.0.0.1:3306 as root without a password unless PARAPET_IT_MY_HOST /
 * PARAPET_IT_MY_PORT / PARAPET_IT_MY_USER say otherwise), for the tests that log in to it.
 */
final class MariaDb {

    static final String HOST = System.getenv().getOrDefault("PARAPET_IT_MY_HOST", "127.0.0.1");
    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("PARAPET_IT_MY_PORT", "3306"));
    static final String ADMIN = System.getenv().getOrDefault("PARAPET_IT_MY_USER", "root");

    private MariaDb() {
    }

    static Connection connect(String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://" + HOST + ":" + PORT + "/", user, password);
    }

    static Connection admin() throws SQLException {
        return connect(ADMIN, "");
    }

    static void execute(String sql) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
