package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS from the gateway to the real PostgreSQL, in each mode, against a server whose certificate
 * (issued by a test CA for 127.0.0.1 only) PostgresSetup installs, and a service role that
 * pg_hba.conf admits over TLS only. Certificate checks really happen: a wrong CA, or a host name
 * the certificate does not name, stops the login with an error that says so.
 */
class UpstreamTlsIT {

    static final String ROLE = "parapet_tls";
    static final String PASSWORD = "tls-pw-Rf6jU8";

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        PostgresSetup.assumePossible();
        PostgresSetup.ServerTls tls = PostgresSetup.ensureServerTls();
        PostgresSetup.ensureRole(ROLE, PASSWORD, PostgresSetup.PasswordStorage.SCRAM);
        PostgresSetup.ensureHbaLines(List.of(
                "hostssl all " + ROLE + " 127.0.0.1/32 scram-sha-256",
                "hostnossl all " + ROLE + " 127.0.0.1/32 reject"));
        PostgresSetup.awaitPasswordRequired(ROLE);
        Path dir = GatewayFixture.tempDir("upstream-tls");
        Path otherCa = dir.resolve("other-ca.crt");
        Files.writeString(otherCa, PostgresSetup.TestCa.pem(PostgresSetup.TestCa.create("CN=some other CA").certificate()));
        Path ca = tls.caCertificate();
        gateway = GatewayFixture.start(GatewayFixture.defaultConfigWithTargets(
                target("tls-require", "127.0.0.1", "{mode: require}"),
                target("tls-verify-ca", "127.0.0.1", "{mode: verify-ca, ca: '" + ca + "'}"),
                target("tls-verify-full", "127.0.0.1", "{mode: verify-full, ca: '" + ca + "'}"),
                target("tls-disable", "127.0.0.1", "{mode: disable}"),
                target("tls-wrong-ca", "127.0.0.1", "{mode: verify-ca, ca: '" + otherCa + "'}"),
                target("tls-full-wrong-ca", "127.0.0.1", "{mode: verify-full, ca: '" + otherCa + "'}"),
                target("tls-full-jdk-trust", "127.0.0.1", "{mode: verify-full}"),
                target("tls-full-localhost", "localhost", "{mode: verify-full, ca: '" + ca + "'}")));
    }

    private static String target(String name, String host, String tls) {
        return "- {name: %s, upstream: {host: %s, port: %d, database: %s, user: %s, password: '%s', tls: %s}}".formatted(
                name, host, GatewayFixture.PG_PORT, GatewayFixture.DATABASE, ROLE, PASSWORD, tls);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        GatewayFixture.assertNoLeaks();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls-require", "tls-verify-ca", "tls-verify-full"})
    void connectsOverTls(String target) throws Exception {
        try (Connection c = gateway.connect(target, "alice", "alice-pw", Map.of());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select current_user, ssl, version from pg_stat_ssl where pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(ROLE);
            assertThat(rs.getBoolean(2)).as("the upstream session is encrypted").isTrue();
            assertThat(rs.getString(3)).startsWith("TLSv1.");
        }
    }

    @Test
    void withoutTlsTheServerRefusesTheRole() {
        assertRefused("tls-disable", "08004", "refused the gateway's service credentials");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls-wrong-ca", "tls-full-wrong-ca", "tls-full-jdk-trust"})
    void refusesACertificateFromAnUntrustedIssuer(String target) {
        assertRefused(target, "08006", "the database's TLS certificate is not signed by a CA the gateway trusts");
    }

    @Test
    void refusesACertificateThatDoesNotNameTheHost() {
        assertRefused("tls-full-localhost", "08006",
                "the database's TLS certificate is not issued for the host the gateway connects to");
    }

    private static void assertRefused(String target, String sqlState, String says) {
        assertThatThrownBy(() -> gateway.connect(target, "alice", "alice-pw", Map.of()).close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).as("SQLSTATE; message: %s", e.getMessage()).isEqualTo(sqlState);
                    assertThat(e.getMessage()).contains("target \"" + target + "\"").contains(says)
                            .doesNotContain(ROLE).doesNotContain(PASSWORD);
                });
    }
}
