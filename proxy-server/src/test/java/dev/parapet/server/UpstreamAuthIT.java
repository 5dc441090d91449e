package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gateway logs in to the real PostgreSQL with its service credentials by SCRAM-SHA-256, md5
 * and cleartext password, as pg_hba.conf demands of each service role; a wrong service password
 * is refused with the gateway's own message, which names neither the service user nor its
 * password; and a server that cannot prove it knows the SCRAM password is not trusted.
 */
class UpstreamAuthIT {

    static final String SCRAM_PASSWORD = "scram-pw-Kq8vX2";
    static final String MD5_PASSWORD = "md5-pw-Zt4mW9";
    static final String CLEAR_PASSWORD = "clear-pw-Hy7nB3";
    static final String WRONG_PASSWORD = "wrong-pw-Qa5cE1";

    static GatewayFixture gateway;
    static FakeScramServer impostor;
    static FakeScramServer skipsFinal;

    @BeforeAll
    static void start() throws Exception {
        PostgresSetup.assumePossible();
        PostgresSetup.ensureRole("parapet_scram", SCRAM_PASSWORD, PostgresSetup.PasswordStorage.SCRAM);
        PostgresSetup.ensureRole("parapet_md5", MD5_PASSWORD, PostgresSetup.PasswordStorage.MD5);
        PostgresSetup.ensureRole("parapet_clear", CLEAR_PASSWORD, PostgresSetup.PasswordStorage.SCRAM);
        PostgresSetup.ensureHbaLines(List.of(
                "host all parapet_scram 127.0.0.1/32 scram-sha-256",
                "host all parapet_md5 127.0.0.1/32 md5",
                "host all parapet_clear 127.0.0.1/32 password"));
        for (String role : List.of("parapet_scram", "parapet_md5", "parapet_clear")) {
            PostgresSetup.awaitPasswordRequired(role);
        }
        impostor = FakeScramServer.start(true);
        skipsFinal = FakeScramServer.start(false);
        gateway = GatewayFixture.start(GatewayFixture.defaultConfigWithTargets(
                target("scram", "parapet_scram", SCRAM_PASSWORD),
                target("md5", "parapet_md5", MD5_PASSWORD),
                target("clear", "parapet_clear", CLEAR_PASSWORD),
                target("scram-wrong", "parapet_scram", WRONG_PASSWORD),
                target("md5-wrong", "parapet_md5", WRONG_PASSWORD),
                target("clear-wrong", "parapet_clear", WRONG_PASSWORD),
                "- {name: impostor, upstream: {host: 127.0.0.1, port: %d, database: x, user: parapet_scram, password: %s}}"
                        .formatted(impostor.port(), SCRAM_PASSWORD),
                "- {name: skips-final, upstream: {host: 127.0.0.1, port: %d, database: x, user: parapet_scram, password: %s}}"
                        .formatted(skipsFinal.port(), SCRAM_PASSWORD)));
    }

    private static String target(String name, String user, String password) {
        return "- {name: %s, upstream: {host: %s, port: %d, database: %s, user: %s, password: '%s'}}".formatted(
                name, GatewayFixture.PG_HOST, GatewayFixture.PG_PORT, GatewayFixture.DATABASE, user, password);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        if (impostor != null) {
            impostor.close();
            skipsFinal.close();
        }
        GatewayFixture.assertNoLeaks();
    }

    @ParameterizedTest
    @CsvSource({"scram, parapet_scram", "md5, parapet_md5", "clear, parapet_clear"})
    void logsInWithTheServiceCredentials(String target, String role) throws Exception {
        // assumeMinServerVersion: pgJDBC then sends application_name in the startup packet (where
        // the gateway tags it) rather than with a SET after the login.
        try (Connection c = gateway.connect(target, "alice", "alice-pw", Map.of("assumeMinServerVersion", "9.0"));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select current_user, current_database(), current_setting('application_name')")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(role);
            assertThat(rs.getString(2)).isEqualTo(GatewayFixture.DATABASE);
            assertThat(rs.getString(3)).isEqualTo("parapet:alice:PostgreSQL JDBC Driver");
        }
    }

    @ParameterizedTest
    @CsvSource({"scram-wrong, parapet_scram", "md5-wrong, parapet_md5", "clear-wrong, parapet_clear"})
    void refusesAWrongServicePasswordWithoutRevealingIt(String target, String role) {
        assertThatThrownBy(() -> gateway.connect(target, "alice", "alice-pw", Map.of()).close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08004");
                    assertThat(e.getMessage())
                            .startsWith("FATAL: target \"" + target + "\" refused the gateway's service credentials")
                            .doesNotContain(role).doesNotContain(WRONG_PASSWORD).doesNotContain("parapet_");
                });
    }

    @Test
    void psqlShowsTheRefusal() throws Exception {
        var result = gateway.psql("md5-wrong", "alice", "alice-pw", "-c", "select 1");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("FATAL:  target \"md5-wrong\" refused the gateway's service credentials")
                .doesNotContain("parapet_md5").doesNotContain(WRONG_PASSWORD);
    }

    @Test
    void refusesAServerThatCannotProveItKnowsTheScramPassword() {
        assertThatThrownBy(() -> gateway.connect("impostor", "alice", "alice-pw", Map.of()).close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08004");
                    assertThat(e.getMessage()).contains("could not log in to target \"impostor\"")
                            .doesNotContain(SCRAM_PASSWORD).doesNotContain("parapet_");
                });
        assertThat(impostor.clientFinals()).as("the gateway went through the SCRAM exchange").isPositive();
        assertThat(impostor.messagesAfterLogin()).as("messages the impostor received after its login").isEmpty();
    }

    @Test
    void refusesAServerThatEndsScramWithoutItsProof() {
        assertThatThrownBy(() -> gateway.connect("skips-final", "alice", "alice-pw", Map.of()).close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08004");
                    assertThat(e.getMessage()).contains("could not log in to target \"skips-final\"");
                });
        assertThat(skipsFinal.clientFinals()).isPositive();
        assertThat(skipsFinal.messagesAfterLogin()).isEmpty();
    }

    /**
     * A server that plays PostgreSQL's side of SCRAM-SHA-256 without knowing the password: it
     * takes the gateway's proof and then either sends a made-up server signature ({@code
     * forgeSignature}) or skips its signature and reports success straight away.
     */
    static final class FakeScramServer implements AutoCloseable {
        private final ServerSocket socket;
        private final boolean forgeSignature;
        private final List<Character> afterLogin = new CopyOnWriteArrayList<>();
        private final List<String> finals = new CopyOnWriteArrayList<>();

        private FakeScramServer(boolean forgeSignature) throws IOException {
            this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.forgeSignature = forgeSignature;
        }

        static FakeScramServer start(boolean forgeSignature) throws IOException {
            FakeScramServer server = new FakeScramServer(forgeSignature);
            Thread.ofVirtual().start(server::accept);
            return server;
        }

        int port() {
            return socket.getLocalPort();
        }

        int clientFinals() {
            return finals.size();
        }

        List<Character> messagesAfterLogin() {
            return List.copyOf(afterLogin);
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    Thread.ofVirtual().start(() -> serve(client));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket client) {
            try (client; var in = new DataInputStream(client.getInputStream());
                 var out = new DataOutputStream(client.getOutputStream())) {
                byte[] startup = new byte[in.readInt() - 4];
                in.readFully(startup);
                authentication(out, 10, "SCRAM-SHA-256\0\0".getBytes(StandardCharsets.US_ASCII));
                String clientFirst = saslData(readMessage(in, 'p'), true);
                String clientNonce = clientFirst.substring(clientFirst.indexOf("r=") + 2);
                byte[] salt = new byte[16];
                new SecureRandom().nextBytes(salt);
                authentication(out, 11, ("r=" + clientNonce + "fakeServerNonce,s="
                        + Base64.getEncoder().encodeToString(salt) + ",i=4096").getBytes(StandardCharsets.UTF_8));
                finals.add(saslData(readMessage(in, 'p'), false));
                if (forgeSignature) {
                    byte[] signature = new byte[32];
                    new SecureRandom().nextBytes(signature);
                    authentication(out, 12, ("v=" + Base64.getEncoder().encodeToString(signature)).getBytes(StandardCharsets.UTF_8));
                }
                authentication(out, 0, new byte[0]);
                message(out, 'K', new byte[] {0, 0, 0, 42, 0, 0, 0, 7});
                message(out, 'Z', new byte[] {'I'});
                out.flush();
                while (true) {
                    afterLogin.add((char) readMessage(in, (char) 0)[0]);
                }
            } catch (IOException e) {
                // the gateway hung up
            }
        }

        /** Reads one tagged message: tag byte followed by the body. */
        private static byte[] readMessage(DataInputStream in, char expected) throws IOException {
            byte tag = in.readByte();
            if (expected != 0 && tag != expected) {
                throw new IOException("expected '" + expected + "', got '" + (char) tag + "'");
            }
            byte[] message = new byte[in.readInt() - 3];
            message[0] = tag;
            in.readFully(message, 1, message.length - 1);
            return message;
        }

        private static String saslData(byte[] message, boolean initial) {
            int start = 1;
            if (initial) {
                while (message[start] != 0) {
                    start++;
                }
                start += 5;  // NUL, then the int32 length of the data
            }
            return new String(message, start, message.length - start, StandardCharsets.UTF_8);
        }

        private static void authentication(DataOutputStream out, int type, byte[] data) throws IOException {
            out.writeByte('R');
            out.writeInt(8 + data.length);
            out.writeInt(type);
            out.write(data);
            out.flush();
        }

        private static void message(DataOutputStream out, char tag, byte[] body) throws IOException {
            out.writeByte(tag);
            out.writeInt(4 + body.length);
            out.write(body);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
