package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.server.RawPgConnection.BackendKey;
import dev.parapet.server.RawPgConnection.Message;
import dev.parapet.server.RawPgConnection.ServerError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;

/**
 * What the gateway does with malformed, hostile or unlucky input: every case gets an answer in
 * the PostgreSQL protocol with the SQLSTATE PostgreSQL itself would use (or a silent close where
 * PostgreSQL is silent too), and the gateway keeps serving afterwards.
 */
class BadInputIT {

    /** Tags this class's sessions upstream (as parapet:user:APPLICATION), to find them in pg_stat_activity. */
    static final String APPLICATION = "badinput-it";

    static GatewayFixture gateway;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.shared();
    }

    @AfterAll
    static void noLeaks() {
        GatewayFixture.assertNoLeaks();
    }

    /** After every case: the gateway still serves a real client, and nothing of the case is left open. */
    @AfterEach
    void gatewayStillServes() throws Exception {
        background.shutdownNow();
        try (Connection c = connect("alice", "alice-pw", "it");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        awaitNoUpstreamSessions();
    }

    private static Connection connect(String user, String password, String target) throws SQLException {
        return gateway.connect(target, user, password, Map.of("ApplicationName", APPLICATION, "connectTimeout", "10"));
    }

    private static RawPgConnection raw() throws IOException {
        return RawPgConnection.open(gateway.port());
    }

    /** The database sessions the gateway opened for this class's clients. */
    private static List<Integer> upstreamPids() throws SQLException {
        try (Connection direct = GatewayFixture.direct("postgres");
                PreparedStatement ps = direct.prepareStatement(
                        "select pid from pg_stat_activity where application_name like 'parapet:%:' || ? order by pid")) {
            ps.setString(1, APPLICATION);
            try (ResultSet rs = ps.executeQuery()) {
                List<Integer> pids = new java.util.ArrayList<>();
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
                return pids;
            }
        }
    }

    private static void awaitNoUpstreamSessions() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Integer> pids = upstreamPids();
        while (!pids.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            pids = upstreamPids();
        }
        assertThat(pids).as("database sessions still open for closed clients").isEmpty();
        assertThat(gateway.server().context().sessions().size()).as("gateway sessions still registered").isZero();
    }

    /** Waits until a statement whose text contains {@code marker} is running in the database. */
    private static void awaitRunning(String marker) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection direct = GatewayFixture.direct("postgres");
                PreparedStatement ps = direct.prepareStatement(
                        "select count(*) from pg_stat_activity where state = 'active' and query like '%' || ? || '%'"
                                + " and pid <> pg_backend_pid()")) {
            ps.setString(1, marker);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("no running statement containing " + marker);
    }

    /** How many client protocol errors of this kind the gateway has counted. */
    private static double clientErrors(String reason) {
        var counter = gateway.server().registry().find("parapet.client.errors").tags("protocol", "postgres", "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Asserts that one bad input was counted once, also after the gateway has finished closing the connection. */
    private static void assertCountedOnce(String reason, double before) throws InterruptedException {
        Thread.sleep(300);
        assertThat(clientErrors(reason) - before).as("parapet.client.errors{reason=%s} increase", reason).isEqualTo(1.0);
    }

    private static void assertFatal(ServerError error, String sqlState, String messagePart) {
        assertThat(error.severity()).as("severity of %s", error.fields()).isEqualTo("FATAL");
        assertThat(error.sqlState()).as("SQLSTATE of %s", error.fields()).isEqualTo(sqlState);
        assertThat(error.message()).as("message").contains(messagePart);
    }

    // ---- before and during the startup packet ------------------------------------------------

    @Test
    void garbageAsTheFirstPacketIsAProtocolViolation() throws Exception {
        double before = clientErrors("malformed");
        try (RawPgConnection c = raw()) {
            c.send("GET / HTTP/1.1\r\nHost: parapet\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertFatal(c.expectError(), "08P01", "invalid startup packet length");
            c.assertClosedByPeer();
        }
        assertCountedOnce("malformed", before);
    }

    @Test
    void absurdStartupLengthIsRefusedWithoutWaitingForTheBytes() throws Exception {
        double before = clientErrors("malformed");
        try (RawPgConnection c = raw()) {
            ByteArrayOutputStream packet = new ByteArrayOutputStream();
            RawPgConnection.writeInt(packet, 0x7fffffff);
            RawPgConnection.writeInt(packet, RawPgConnection.PROTOCOL_3_0);
            c.send(packet.toByteArray());
            assertFatal(c.expectError(), "08P01", "invalid startup packet length 2147483647");
            c.assertClosedByPeer();
        }
        assertCountedOnce("malformed", before);
    }

    @Test
    void truncatedStartupPacketThenCloseIsDroppedSilently() throws Exception {
        byte[] startup = RawPgConnection.startupPacket(RawPgConnection.PROTOCOL_3_0,
                Map.of("user", "alice", "database", "it"));
        try (RawPgConnection c = raw()) {
            c.send(Arrays.copyOf(startup, startup.length / 2));
            c.socket().shutdownOutput();
            // Like PostgreSQL ("incomplete startup packet" goes to its log only): no answer, a close.
            c.assertClosedByPeer();
        }
    }

    @Test
    void silentClientGetsFatalAfterTheStartupTimeout() throws Exception {
        double before = clientErrors("startup_timeout");
        try (RawPgConnection c = raw()) {
            long start = System.nanoTime();
            ServerError error = c.expectError();
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertFatal(error, "08P01", "did not complete within 3000 ms");
            assertThat(elapsed).as("ms until the timeout").isBetween(2_500L, 10_000L);
            c.assertClosedByPeer();
        }
        assertCountedOnce("startup_timeout", before);
    }

    @Test
    void clientStuckAfterStartupGetsFatalAfterTheStartupTimeout() throws Exception {
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "alice", "database", "it"));
            assertThat(c.expect('R').int32(0)).isEqualTo(3);
            assertFatal(c.expectError(), "08P01", "did not complete within 3000 ms");
            c.assertClosedByPeer();
        }
    }

    @Test
    void protocol2IsUnsupported() throws Exception {
        // A protocol 2.0 startup packet: Int32 296, Int32 0x00020000, then fixed-size NUL-padded
        // fields database[64], user[32], options[64], unused[64], tty[64].
        byte[] rest = new byte[288];
        System.arraycopy("it".getBytes(StandardCharsets.US_ASCII), 0, rest, 0, 2);
        System.arraycopy("alice".getBytes(StandardCharsets.US_ASCII), 0, rest, 64, 5);
        try (RawPgConnection c = raw()) {
            c.send(RawPgConnection.untagged(2 << 16, rest));
            ServerError error = c.expectError();
            assertFatal(error, "0A000", "unsupported frontend protocol 2.0");
            c.assertClosedByPeer();
        }
    }

    @Test
    void protocol4WithVersion3LayoutIsUnsupported() throws Exception {
        try (RawPgConnection c = raw()) {
            c.send(RawPgConnection.startupPacket(4 << 16, Map.of("user", "alice", "database", "it")));
            assertFatal(c.expectError(), "0A000", "unsupported frontend protocol 4.0");
            c.assertClosedByPeer();
        }
    }

    @Test
    void protocol32WithAnUnknownOptionIsNegotiatedDownThenLogsIn() throws Exception {
        try (RawPgConnection c = raw()) {
            Map<String, String> params = new java.util.LinkedHashMap<>();
            params.put("user", "alice");
            params.put("database", "it");
            params.put("application_name", APPLICATION);
            params.put("_pq_.foo", "bar");
            c.send(RawPgConnection.startupPacket((3 << 16) | 2, params));
            Message negotiate = c.expect('v');
            assertThat(negotiate.int32(0)).as("newest minor version the gateway speaks").isZero();
            assertThat(negotiate.int32(4)).as("number of unrecognised options").isEqualTo(1);
            assertThat(negotiate.cstrings(8)).containsExactly("_pq_.foo");
            c.passwordAndReady("alice-pw");
            assertThat(c.queryValue("select current_database()")).isEqualTo(GatewayFixture.DATABASE);
        }
    }

    @Test
    void gssEncRequestIsDeclinedAndThePlainLoginContinues() throws Exception {
        try (RawPgConnection c = raw()) {
            c.send(RawPgConnection.untagged(80877104, new byte[0]));
            assertThat(c.readByte()).as("answer to GSSENCRequest").isEqualTo('N');
            c.login("alice", "alice-pw", "it");
            assertThat(c.queryValue("select 40 + 2")).isEqualTo("42");
        }
    }

    @Test
    void sslRequestFollowedByPlaintextInTheSamePacketIsRefused() throws Exception {
        byte[] ssl = RawPgConnection.untagged(80877103, new byte[0]);
        byte[] startup = RawPgConnection.startupPacket(RawPgConnection.PROTOCOL_3_0, Map.of("user", "alice", "database", "it"));
        byte[] both = new byte[ssl.length + startup.length];
        System.arraycopy(ssl, 0, both, 0, ssl.length);
        System.arraycopy(startup, 0, both, ssl.length, startup.length);
        double before = clientErrors("data_after_ssl_request");
        try (RawPgConnection c = raw()) {
            c.send(both);
            // No 'S': the bytes behind the request could have been injected before encryption began.
            assertFatal(c.expectError(), "08P01", "unencrypted data after the SSL request");
            c.assertClosedByPeer();
        }
        assertCountedOnce("data_after_ssl_request", before);
    }

    @Test
    void startupWithoutUserIsRefused() throws Exception {
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("database", "it"));
            assertFatal(c.expectError(), "28000", "no PostgreSQL user name");
            c.assertClosedByPeer();
        }
    }

    // ---- during the login --------------------------------------------------------------------

    @Test
    void unknownMessageTypeDuringLoginIsAProtocolViolation() throws Exception {
        double before = clientErrors("unexpected_message");
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "alice", "database", "it"));
            assertThat(c.expect('R').int32(0)).isEqualTo(3);
            c.send(RawPgConnection.tagged('y', new byte[] {1, 2, 3}));
            assertFatal(c.expectError(), "08P01", "before the login completed");
            c.assertClosedByPeer();
        }
        assertCountedOnce("unexpected_message", before);
    }

    @Test
    void queryInsteadOfPasswordIsAProtocolViolation() throws Exception {
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "alice", "database", "it"));
            assertThat(c.expect('R').int32(0)).isEqualTo(3);
            c.sendQuery("select 1");
            assertFatal(c.expectError(), "08P01", "a query arrived before the login completed");
            c.assertClosedByPeer();
        }
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "alice", "database", "it"));
            assertThat(c.expect('R').int32(0)).isEqualTo(3);
            c.sendPassword("bob-pw");
            assertFatal(c.expectError(), "28P01", "password authentication failed for user \"alice\"");
            c.assertClosedByPeer();
        }
        assertThatThrownBy(() -> connect("alice", "wrong", "it").close())
                .isInstanceOfSatisfying(PSQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("28P01");
                    assertThat(e.getMessage()).contains("password authentication failed for user \"alice\"");
                });
    }

    @Test
    void unknownUserIsRefusedLikeAWrongPassword() throws Exception {
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "mallory", "database", "it"));
            assertThat(c.expect('R').int32(0)).isEqualTo(3);
            c.sendPassword("alice-pw");
            assertFatal(c.expectError(), "28P01", "password authentication failed for user \"mallory\"");
            c.assertClosedByPeer();
        }
    }

    @Test
    void emptyPasswordIsRefused() throws Exception {
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "alice", "database", "it"));
            assertThat(c.expect('R').int32(0)).isEqualTo(3);
            c.sendPassword("");
            assertFatal(c.expectError(), "28P01", "empty password");
            c.assertClosedByPeer();
        }
    }

    @Test
    void unknownTargetIsRefused() throws Exception {
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "alice", "database", "nope"));
            assertThat(c.expect('R').int32(0)).isEqualTo(3);
            c.sendPassword("alice-pw");
            assertFatal(c.expectError(), "3D000", "target \"nope\" does not exist");
            c.assertClosedByPeer();
        }
        assertThatThrownBy(() -> connect("alice", "alice-pw", "nope").close())
                .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("3D000"));
    }

    @Test
    void unreachableTargetIsReportedAfterTheLogin() throws Exception {
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "alice", "database", "down"));
            assertThat(c.expect('R').int32(0)).isEqualTo(3);
            c.sendPassword("alice-pw");
            ServerError error = c.expectError();
            assertFatal(error, "08001", "target \"down\" is unavailable");
            assertThat(error.message()).as("no internals in the message").doesNotContain("Connection refused", "127.0.0.1");
            c.assertClosedByPeer();
        }
        assertThatThrownBy(() -> connect("alice", "alice-pw", "down").close())
                .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"));
    }

    @Test
    void replicationConnectionsAreRefused() throws Exception {
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "alice", "database", "it", "replication", "database"));
            assertFatal(c.expectError(), "0A000", "replication connections are not supported");
            c.assertClosedByPeer();
        }
    }

    @Test
    void emptyDatabaseNameMeansTheUserNameAsInPostgres() throws Exception {
        // pgJDBC sends database="" for a URL without one; PostgreSQL then uses the user name.
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "alice", "database", ""));
            assertThat(c.expect('R').int32(0)).isEqualTo(3);
            c.sendPassword("alice-pw");
            assertFatal(c.expectError(), "3D000", "target \"alice\" does not exist");
            c.assertClosedByPeer();
        }
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + gateway.port() + "/",
                        "alice", "alice-pw").close())
                .isInstanceOfSatisfying(PSQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("3D000");
                    assertThat(e.getMessage()).contains("target \"alice\" does not exist");
                });
    }

    @Test
    void oversizedPasswordMessageIsRefused() throws Exception {
        try (RawPgConnection c = raw()) {
            c.sendStartup(Map.of("user", "alice", "database", "it"));
            assertThat(c.expect('R').int32(0)).isEqualTo(3);
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            header.write('p');
            RawPgConnection.writeInt(header, 64 << 20);
            c.send(header.toByteArray());
            assertFatal(c.expectError(), "54000", "message of type 'p' is 67108864 bytes");
            c.assertClosedByPeer();
        }
    }

    @Test
    void clientsVanishingAtEveryPointOfTheLoginLeaveNothingOpen() throws Exception {
        // Closing right after the password, at varying delays, lands in identity resolution, the
        // upstream connect and the upstream login; the after-each check then finds no session left.
        for (int i = 0; i < 30; i++) {
            try (RawPgConnection c = raw()) {
                c.sendStartup(Map.of("user", "alice", "database", "it", "application_name", APPLICATION));
                assertThat(c.expect('R').int32(0)).isEqualTo(3);
                c.sendPassword("alice-pw");
                if (i % 3 != 0) {
                    Thread.sleep(i % 10);
                }
            }
        }
    }

    // ---- inside a session --------------------------------------------------------------------

    @Test
    void oversizedQueryIsRefusedAndTheSessionClosed() throws Exception {
        double before = clientErrors("malformed");
        try (RawPgConnection c = raw()) {
            c.login("alice", "alice-pw", "it");
            byte[] sql = new byte[(1 << 20) + (512 << 10)];
            Arrays.fill(sql, (byte) ' ');
            byte[] select = "select 1".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(select, 0, sql, 0, select.length);
            sql[sql.length - 1] = 0;
            byte[] query = RawPgConnection.tagged('Q', sql);
            // The gateway answers from the header; the rest of the write may then fail on the closed socket.
            Future<?> writer = background.submit(() -> {
                try {
                    c.send(query);
                } catch (IOException expectedOnceTheGatewayCloses) {
                    // ignored: the answer is what matters
                }
                return null;
            });
            ServerError error = c.expectError();
            assertFatal(error, "54000", "over the gateway's limit of 1048576 bytes");
            assertThat(error.message()).contains("'Q'");
            c.assertClosedByPeer();
            writer.get(10, TimeUnit.SECONDS);
        }
        assertCountedOnce("malformed", before);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 0, -1})
    void queryWithALengthBelowFourIsAProtocolViolation(int length) throws Exception {
        double before = clientErrors("malformed");
        try (RawPgConnection c = raw()) {
            c.login("alice", "alice-pw", "it");
            ByteArrayOutputStream bad = new ByteArrayOutputStream();
            bad.write('Q');
            RawPgConnection.writeInt(bad, length);
            bad.writeBytes(RawPgConnection.cstring("select 1"));
            c.send(bad.toByteArray());
            assertFatal(c.expectError(), "08P01", "invalid message length " + length + " for message type 'Q'");
            c.assertClosedByPeer();
        }
        assertCountedOnce("malformed", before);
    }

    @Test
    void upstreamTerminatedWhileIdleIsReportedToTheClient() throws Exception {
        try (Connection c = connect("alice", "alice-pw", "it"); Statement s = c.createStatement()) {
            int pid;
            try (ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            terminate(pid);
            assertThatThrownBy(() -> s.executeQuery("select 1").close())
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).as("SQLSTATE; message %s", e.getMessage()).isEqualTo("57P01");
                        assertThat(e.getMessage()).contains("terminating connection due to administrator command");
                    });
            assertThat(c.isValid(2)).isFalse();
        }
    }

    @Test
    void upstreamTerminatedDuringAQueryFailsThatQuery() throws Exception {
        try (Connection c = connect("alice", "alice-pw", "it"); Statement s = c.createStatement()) {
            int pid;
            try (ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            String marker = "badinput-terminated-" + System.nanoTime();
            CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    s.execute("select pg_sleep(30) /* " + marker + " */");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            }, background);
            awaitRunning(marker);
            long start = System.nanoTime();
            terminate(pid);
            Throwable error = outcome.get(15, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(error).isInstanceOfSatisfying(PSQLException.class, e -> {
                assertThat(e.getSQLState()).as("SQLSTATE; message %s", e.getMessage()).isEqualTo("57P01");
                assertThat(e.getMessage()).contains("terminating connection due to administrator command");
            });
            assertThat(c.isValid(2)).isFalse();
        }
    }

    /** Ends a database session from a direct connection, and waits until it is gone. */
    private static void terminate(int pid) throws Exception {
        try (Connection direct = GatewayFixture.direct("postgres");
                PreparedStatement kill = direct.prepareStatement("select pg_terminate_backend(?)");
                PreparedStatement alive = direct.prepareStatement("select count(*) from pg_stat_activity where pid = ?")) {
            kill.setInt(1, pid);
            try (ResultSet rs = kill.executeQuery()) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("pg_terminate_backend(%d)", pid).isTrue();
            }
            alive.setInt(1, pid);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = alive.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("backend " + pid + " did not end");
        }
    }

    // ---- cancel requests ---------------------------------------------------------------------

    @Test
    void cancelWithAWrongKeyDoesNothing() throws Exception {
        try (RawPgConnection c = raw()) {
            BackendKey key = c.login("alice", "alice-pw", "it");
            String marker = "badinput-wrong-key-" + System.nanoTime();
            long start = System.nanoTime();
            c.sendQuery("select pg_sleep(2) /* " + marker + " */");
            awaitRunning(marker);
            // Right process id with a wrong secret, and a wrong process id with the right secret.
            assertThat(RawPgConnection.cancel(gateway.port(), key.processId(), key.secretKey() ^ 1))
                    .as("the gateway answers a cancel request with nothing").isEmpty();
            assertThat(RawPgConnection.cancel(gateway.port(), key.processId() ^ 0x40000000, key.secretKey())).isEmpty();
            List<Message> answer = c.readUntilReady();
            assertThat(answer).extracting(Message::tag).as("the statement ran to its end").containsExactly('T', 'D', 'C');
            assertThat(answer.get(2).cstrings(0)).containsExactly("SELECT 1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void cancelWithTheKeyFromBackendKeyDataCancels() throws Exception {
        try (RawPgConnection c = raw()) {
            BackendKey key = c.login("alice", "alice-pw", "it");
            String marker = "badinput-right-key-" + System.nanoTime();
            long start = System.nanoTime();
            c.sendQuery("select pg_sleep(30) /* " + marker + " */");
            awaitRunning(marker);
            assertThat(RawPgConnection.cancel(gateway.port(), key.processId(), key.secretKey())).isEmpty();
            List<Message> answer = c.readUntilReady();
            Message error = answer.stream().filter(m -> m.tag() == 'E').findFirst().orElseThrow(
                    () -> new AssertionError("no error after the cancel; got " + answer.stream().map(Message::tag).toList()));
            ServerError cancelled = ServerError.parse(error);
            assertThat(cancelled.severity()).isEqualTo("ERROR");
            assertThat(cancelled.sqlState()).isEqualTo("57014");
            assertThat(cancelled.message()).isEqualTo("canceling statement due to user request");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            // The session survives its cancelled statement.
            assertThat(c.queryValue("select 'still here'")).isEqualTo("still here");
        }
    }

    @Test
    void pgJdbcCancelGoesThroughTheGateway() throws Exception {
        try (Connection c = connect("alice", "alice-pw", "it"); Statement s = c.createStatement()) {
            String marker = "badinput-jdbc-cancel-" + System.nanoTime();
            CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    s.execute("select pg_sleep(30) /* " + marker + " */");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            }, background);
            awaitRunning(marker);
            s.cancel();
            assertThat(outcome.get(15, TimeUnit.SECONDS)).isInstanceOfSatisfying(PSQLException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("57014");
                assertThat(e.getMessage()).contains("canceling statement due to user request");
            });
            try (ResultSet rs = s.executeQuery("select 2")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
    }

    @Test
    void unknownMessageTypeInsideASessionGetsTheDatabasesOwnAnswer() throws Exception {
        // After the login the gateway relays message types it does not act on; PostgreSQL itself
        // rejects an unknown one, and its FATAL reaches the client before both connections close.
        try (RawPgConnection c = raw()) {
            c.login("alice", "alice-pw", "it");
            c.send(RawPgConnection.tagged('y', new byte[] {1, 2, 3}));
            assertFatal(c.expectError(), "08P01", "invalid frontend message type 121");
            c.assertClosedByPeer();
        }
    }
}
