package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's upstream side against logins MariaDB does not offer: a second gateway stands in
 * for a MySQL 8 server, since its listener is a caching_sha2_password server (full authentication
 * over TLS) and switches clients without TLS to mysql_clear_password. The first gateway logs in
 * to it with service credentials — over TLS (require) and without — and runs statements through
 * both, down to the real MariaDB. Also the real MariaDB's own logins: mysql_native_password with a
 * password, and client_ed25519.
 */
class MySqlUpstreamIT {

    private static final String MARIADB = "jdbc:mariadb://127.0.0.1:3306/?user=root";
    private static GatewayFixture inner;
    private static GatewayFixture outer;

    @BeforeAll
    static void start() throws Exception {
        try (Connection c = DriverManager.getConnection(MARIADB); Statement st = c.createStatement()) {
            st.execute("create database if not exists parapet_upstream_it");
            st.execute("create or replace table parapet_upstream_it.t (id int primary key, label varchar(20))");
            st.execute("insert into parapet_upstream_it.t values (1, 'one'), (2, 'two')");
            st.execute("create or replace user 'parapet_native_it'@'%' identified by 'native-pw'");
            st.execute("grant select on parapet_upstream_it.* to 'parapet_native_it'@'%'");
            st.execute("create role if not exists parapet_auditor_it");
            st.execute("grant parapet_auditor_it to 'parapet_native_it'@'%'");
            try {
                st.execute("install soname 'auth_ed25519'");
            } catch (SQLException alreadyInstalled) {
                // 1968: the plugin is there already
            }
            st.execute("create or replace user 'parapet_ed_it'@'%' identified via ed25519 using password('ed-pw')");
            st.execute("grant select on parapet_upstream_it.* to 'parapet_ed_it'@'%'");
        }
        inner = GatewayFixture.start("""
                listeners:
                  postgres: {host: 127.0.0.1, port: 0}
                  mysql: {host: 127.0.0.1, port: 0}
                  admin: {host: 127.0.0.1, port: 0}
                tls: {self-signed: true}
                client-auth: {allow-cleartext-on-loopback: true}
                dev-users:
                  enabled: true
                  users: [{name: svc, password: svc-secret-pw}]
                targets:
                  - name: inner
                    protocol: mysql
                    upstream: {host: 127.0.0.1, port: 3306, database: parapet_upstream_it, user: root}
                """);
        int innerPort = inner.server().mysqlAddress().getPort();
        outer = GatewayFixture.start("""
                listeners:
                  postgres: {host: 127.0.0.1, port: 0}
                  mysql: {host: 127.0.0.1, port: 0}
                  admin: {host: 127.0.0.1, port: 0}
                tls: {self-signed: true}
                dev-users:
                  enabled: true
                  users: [{name: alice, password: alice-pw}, {name: rita, password: rita-pw, groups: [auditors]}]
                targets:
                  - name: via_tls
                    protocol: mysql
                    upstream: {host: 127.0.0.1, port: %1$d, database: inner, user: svc, password: svc-secret-pw,
                               tls: {mode: require}}
                  - name: via_clear
                    protocol: mysql
                    upstream: {host: 127.0.0.1, port: %1$d, database: inner, user: svc, password: svc-secret-pw}
                  - name: wrong_password
                    protocol: mysql
                    upstream: {host: 127.0.0.1, port: %1$d, database: inner, user: svc, password: not-it}
                  - name: native
                    protocol: mysql
                    upstream: {host: 127.0.0.1, port: 3306, database: parapet_upstream_it, user: parapet_native_it,
                               password: native-pw, by-group: [{group: auditors, role: parapet_auditor_it}]}
                  - name: ed25519
                    protocol: mysql
                    upstream: {host: 127.0.0.1, port: 3306, database: parapet_upstream_it, user: parapet_ed_it,
                               password: ed-pw}
                """.formatted(innerPort));
    }

    @AfterAll
    static void stop() throws Exception {
        if (outer != null) {
            outer.stop();
        }
        if (inner != null) {
            inner.stop();
        }
        try (Connection c = DriverManager.getConnection(MARIADB); Statement st = c.createStatement()) {
            st.execute("drop user if exists 'parapet_native_it'@'%'");
            st.execute("drop user if exists 'parapet_ed_it'@'%'");
            st.execute("drop role if exists parapet_auditor_it");
            st.execute("drop database if exists parapet_upstream_it");
        }
    }

    private static Connection connect(String target) throws SQLException {
        return connect(target, "alice");
    }

    private static Connection connect(String target, String user) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + outer.server().mysqlAddress().getPort() + "/"
                + target + "?user=" + user + "&password=" + user + "-pw&sslMode=trust");
    }

    @Test
    void aGroupsRoleIsSetAfterTheServiceLogin() throws Exception {
        try (Connection rita = connect("native", "rita"); Statement st = rita.createStatement();
             ResultSet rs = st.executeQuery("select current_role()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("parapet_auditor_it");
        }
        try (Connection alice = connect("native"); Statement st = alice.createStatement();
             ResultSet rs = st.executeQuery("select current_role()")) {
            rs.next();
            assertThat(rs.getString(1)).as("not for others").isNull();
        }
    }

    private static String labels(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select label from t order by id")) {
            StringBuilder out = new StringBuilder();
            while (rs.next()) {
                out.append(rs.getString(1)).append(' ');
            }
            return out.toString().trim();
        }
    }

    @Test
    void logsInToACachingSha2ServerWithFullAuthenticationOverTls() throws Exception {
        try (Connection c = connect("via_tls")) {
            assertThat(labels(c)).isEqualTo("one two");
        }
    }

    @Test
    void followsTheServersSwitchToTheClearTextPluginWithoutTls() throws Exception {
        try (Connection c = connect("via_clear")) {
            assertThat(labels(c)).isEqualTo("one two");
        }
    }

    @Test
    void aRefusedServiceLoginIsTheTargetBeingUnavailableNotItsPassword() {
        assertThatThrownBy(() -> connect("wrong_password")).isInstanceOf(SQLException.class)
                .hasMessageContaining("target 'wrong_password' is unavailable").hasMessageNotContaining("not-it");
    }

    @Test
    void logsInToMariaDbWithANativePasswordAndWithEd25519() throws Exception {
        try (Connection c = connect("native"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select current_user()")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("parapet_native_it@");
        }
        try (Connection c = connect("ed25519"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select current_user(), (select count(*) from t)")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("parapet_ed_it@");
            assertThat(rs.getInt(2)).isEqualTo(2);
        }
    }
}
