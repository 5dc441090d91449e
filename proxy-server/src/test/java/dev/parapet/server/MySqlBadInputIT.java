package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.server.RawMySqlConnection.Packet;
import dev.parapet.server.RawMySqlConnection.ServerError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the MySQL listener does with malformed, hostile or unlucky input, sent from a bare socket:
 * every case gets an ERR packet with the error number and SQLSTATE MySQL itself would send (or a
 * close where nothing more can be said), and the gateway keeps serving afterwards.
 */
class MySqlBadInputIT {

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = MySqlFixture.start(null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop();
        GatewayFixture.assertNoLeaks();
    }

    /** After every case: a new client logs in and runs a query, and no session of the case is left. */
    @AfterEach
    void gatewayStillServes() throws Exception {
        try (RawMySqlConnection c = RawMySqlConnection.loggedIn(port(), "alice", "it")) {
            assertThat(c.query("select 1")).containsExactly(List.of("1"));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gateway.server().context().sessions().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(gateway.server().context().sessions().size()).as("gateway sessions still registered").isZero();
    }

    private static int port() {
        return MySqlFixture.port(gateway);
    }

    private static RawMySqlConnection raw() throws IOException {
        return RawMySqlConnection.open(port());
    }

    private static double clientErrors(String reason) {
        var counter = gateway.server().registry().find("parapet.client.errors").tags("protocol", "mysql", "reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static void assertError(ServerError error, int code, String sqlState, String messagePart) {
        assertThat(error.code()).as("error number of %s", error).isEqualTo(code);
        assertThat(error.sqlState()).as("SQLSTATE of %s", error).isEqualTo(sqlState);
        assertThat(error.message()).as("message of %s", error).contains(messagePart);
    }

    // ---- instead of a handshake response --------------------------------------------------

    @Test
    void anHttpRequestIsRefusedAsAPacketTooLarge() throws Exception {
        try (RawMySqlConnection c = raw()) {
            c.greeting();
            // "GET" read as a packet length is 5.5 MB, over the 1 MiB limit: refused before it is read
            c.send("GET / HTTP/1.1\r\nHost: parapet\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertError(c.expectError(), 1153, "08S01", "max_allowed_packet");
            c.assertClosedByPeer();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomBytesAsAHandshakeResponseAreABadHandshake(int seed) throws Exception {
        Random random = new Random(seed);
        byte[] payload = new byte[8 + random.nextInt(120)];
        random.nextBytes(payload);
        try (RawMySqlConnection c = raw()) {
            c.greeting();
            c.sendPacket(1, payload);
            Packet answer = c.read();
            if (answer.first() == 0xFE) {
                // read as a response naming another plugin: switched, and the client never answers
                answer = c.read();
            }
            ServerError error = answer.error();
            assertThat(error.code()).as("%s", error).isIn(1043, 1251, 1045);
            assertThat(error.sqlState()).as("%s", error).isIn("08S01", "08004", "28000");
            assertThat(error.message()).as("no internals in %s", error).doesNotContain("Buf").doesNotContain("Exception");
            c.assertClosedByPeer();
        }
    }

    @Test
    void aHandshakeResponseOfFewerThan32BytesIsABadHandshake() throws Exception {
        byte[] full = RawMySqlConnection.handshakeResponse("alice", "alice-pw", "it");
        for (int length : new int[] {0, 3, 4, 20, 31}) {
            try (RawMySqlConnection c = raw()) {
                c.greeting();
                c.sendPacket(1, Arrays.copyOf(full, length));
                ServerError error = c.expectError();
                assertThat(error.seq()).isEqualTo(2);
                assertError(error, 1043, "08S01", "Bad handshake");
                c.assertClosedByPeer();
            }
        }
    }

    @Test
    void aUserNameWithoutItsNulIsABadHandshake() throws Exception {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        RawMySqlConnection.writeIntLE(p, RawMySqlConnection.CAPABILITIES);
        RawMySqlConnection.writeIntLE(p, 1 << 24);
        p.write(45);
        p.writeBytes(new byte[23]);
        p.writeBytes("alice".getBytes(StandardCharsets.US_ASCII));
        try (RawMySqlConnection c = raw()) {
            c.greeting();
            c.sendPacket(1, p.toByteArray());
            ServerError error = c.expectError();
            assertError(error, 1043, "08S01", "Bad handshake");
            assertThat(error.message()).doesNotContain("Buf").doesNotContain("Index");
            c.assertClosedByPeer();
        }
    }

    // ---- refused logins ----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"wrong-secret-7731", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLTc3MzE"})
    void aWrongPasswordOrBadTokenIsAccessDeniedWithoutTheSecret(String secret) throws Exception {
        try (RawMySqlConnection c = raw()) {
            Packet answer = c.login("alice", secret, "it");
            ServerError error = answer.error();
            assertThat(error.seq()).isEqualTo(2);
            assertError(error, 1045, "28000", "Access denied");
            assertThat(error.message()).doesNotContain(secret).doesNotContain("7731");
            c.assertClosedByPeer();
        }
    }

    @Test
    void anUnknownTargetIsUnknownDatabase() throws Exception {
        try (RawMySqlConnection c = raw()) {
            ServerError error = c.login("alice", "alice-pw", "nosuchtarget").error();
            assertThat(error.seq()).isEqualTo(2);
            assertError(error, 1049, "42000", "nosuchtarget");
            c.assertClosedByPeer();
        }
    }

    // ---- bad commands ------------------------------------------------------------------------

    @Test
    void aCommandWithANonZeroSequenceIdIsPacketsOutOfOrder() throws Exception {
        double before = clientErrors("sequence");
        try (RawMySqlConnection c = RawMySqlConnection.loggedIn(port(), "alice", "it")) {
            c.sendPacket(3, RawMySqlConnection.command(0x03, "select 1".getBytes(StandardCharsets.US_ASCII)));
            ServerError error = c.expectError();
            assertError(error, 1156, "08S01", "out of order");
            assertThat(error.seq()).isEqualTo(4);
            c.assertClosedByPeer();
        }
        assertThat(clientErrors("sequence") - before).isEqualTo(1.0);
    }

    @Test
    void aStatementExecuteOfThreeBytesIsMalformed() throws Exception {
        try (RawMySqlConnection c = RawMySqlConnection.loggedIn(port(), "alice", "it")) {
            c.sendPacket(0, RawMySqlConnection.command(0x17, (byte) 1, (byte) 0));
            ServerError error = c.expectError();
            assertError(error, 1835, "08S01", "COM_STMT_EXECUTE");
            assertThat(error.seq()).isEqualTo(1);
            c.assertClosedByPeer();
        }
    }

    /**
     * Commands the gateway does not relay are refused as unknown, like MySQL refuses a command it
     * does not know, and the session goes on (COM_PROCESS_KILL is left out: it is being given a
     * meaning of its own, the connection id the gateway handed out).
     */
    @ParameterizedTest
    @ValueSource(ints = {0x12, 0x08, 0x05, 0x0d, 0x1e, 0x00})
    void anUnknownCommandIsRefusedByNameAndTheSessionGoesOn(int command) throws Exception {
        try (RawMySqlConnection c = RawMySqlConnection.loggedIn(port(), "bob", "it")) {
            c.sendPacket(0, RawMySqlConnection.command(command, new byte[] {0, 0, 0, 0}));
            ServerError error = c.expectError();
            assertThat(error.seq()).isEqualTo(1);
            assertError(error, 1047, "08S01", dev.parapet.mysql.wire.Commands.name(command));
            assertThat(error.message()).startsWith("Unknown command");
            assertThat(c.query("select 1")).containsExactly(List.of("1"));
        }
    }

    @Test
    void anEmptyPacketIsAnUnknownCommandAndTheSessionGoesOn() throws Exception {
        try (RawMySqlConnection c = RawMySqlConnection.loggedIn(port(), "alice", "it")) {
            c.sendPacket(0, new byte[0]);
            ServerError error = c.expectError();
            assertThat(error.seq()).isEqualTo(1);
            assertError(error, 1047, "08S01", "Unknown command");
            assertThat(error.message()).as("names what came").contains("empty").doesNotContain("0xffffffff");
            assertThat(c.query("select 2")).containsExactly(List.of("2"));
        }
    }

    @Test
    void changeUserIsRefusedAndTheSessionEnds() throws Exception {
        try (RawMySqlConnection c = RawMySqlConnection.loggedIn(port(), "alice", "it")) {
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            p.write(0x11);
            RawMySqlConnection.writeNul(p, "bob");
            p.write(6);
            p.writeBytes("bob-pw".getBytes(StandardCharsets.US_ASCII));
            RawMySqlConnection.writeNul(p, "it");
            c.sendPacket(0, p.toByteArray());
            ServerError error = c.expectError();
            assertThat(error.seq()).isEqualTo(1);
            assertError(error, 1045, "28000", "COM_CHANGE_USER");
            assertThat(error.message()).doesNotContain("bob-pw");
            c.assertClosedByPeer();
        }
    }

    // ---- sizes -------------------------------------------------------------------------------

    @Test
    void aPacketOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
        double before = clientErrors("packet_too_large");
        try (RawMySqlConnection c = RawMySqlConnection.loggedIn(port(), "alice", "it")) {
            // the header announces 2 MiB; only its first kilobyte is sent: the answer cannot wait for the rest
            int length = 2 << 20;
            byte[] start = new byte[4 + 1024];
            start[0] = (byte) length;
            start[1] = (byte) (length >> 8);
            start[2] = (byte) (length >> 16);
            start[4] = 0x03;
            Arrays.fill(start, 5, start.length, (byte) 'x');
            c.send(start);
            ServerError error = c.expectError();
            assertError(error, 1153, "08S01", "max_allowed_packet");
            assertThat(error.message()).contains(String.valueOf(1 << 20));
            assertThat(error.seq()).as("the answer follows the refused command's sequence id").isEqualTo(1);
            c.assertClosedByPeer();
        }
        assertThat(clientErrors("packet_too_large") - before).isEqualTo(1.0);
    }

    /**
     * A payload of exactly 16 MiB - 1 (one full physical packet and an empty one) both ways: a query
     * that long reaches the database whole, and rows that long reach the client whole. One byte
     * more is over the database's own max_allowed_packet (16 MiB here, so a query of 17 MB cannot
     * run): the database reads the two parts as one packet and refuses it, which only a correct
     * split gets from it.
     */
    @Test
    void packetsOf16MiBAndMoreAreJoinedAndSplitBothWays() throws Exception {
        MySqlFixture.prepareDatabase();
        GatewayFixture large = GatewayFixture.start(MySqlFixture.config(null, null)
                .replace("max-message-size: 1MiB", "max-message-size: 64MiB"));
        try {
            try (RawMySqlConnection c = RawMySqlConnection.loggedIn(MySqlFixture.port(large), "bob", "it")) {
                String sql = longQuery(RawMySqlConnection.MAX_PHYSICAL);
                assertThat(c.query(sql)).containsExactly(List.of(String.valueOf(sql.length() - 17)));
                // rows of 4 + 16777211 bytes (one full physical packet, then an empty one) and one byte more
                for (int n : new int[] {16_777_211, 16_777_212}) {
                    List<List<String>> rows = c.query("select repeat('y', " + n + ")");
                    assertThat(rows).hasSize(1);
                    assertThat(rows.get(0).get(0)).hasSize(n).matches("y+");
                }
                assertThat(c.query("select 3")).containsExactly(List.of("3"));
            }
            try (RawMySqlConnection c = RawMySqlConnection.loggedIn(MySqlFixture.port(large), "bob", "it")) {
                c.sendPacket(0, RawMySqlConnection.command(0x03,
                        longQuery(RawMySqlConnection.MAX_PHYSICAL + 1).getBytes(StandardCharsets.US_ASCII)));
                ServerError error = c.expectError();
                assertThat(error.seq()).as("after two packets from the client").isEqualTo(2);
                assertError(error, 1153, "08S01", "max_allowed_packet");
                assertThat(error.message()).as("the database's answer, not the gateway's").doesNotContain("gateway");
            }
        } finally {
            large.stop();
        }
    }

    /** A COM_QUERY payload (command byte included) of exactly {@code payload} bytes: select length('xxx...'). */
    private static String longQuery(int payload) {
        String prefix = "select length('";
        String suffix = "')";
        String sql = prefix + "x".repeat(payload - 1 - prefix.length() - suffix.length()) + suffix;
        assertThat(1 + sql.length()).isEqualTo(payload);
        return sql;
    }

    // ---- unlucky clients ---------------------------------------------------------------------

    @Test
    void aClientThatLeavesMidResultEndsItsStatementInTheDatabase() throws Exception {
        String marker = "midresult_" + System.nanoTime();
        try (RawMySqlConnection c = RawMySqlConnection.loggedIn(port(), "bob", "it")) {
            c.socket().setReceiveBufferSize(4096);
            c.sendPacket(0, RawMySqlConnection.command(0x03, ("select seq, repeat('z', 200) as " + marker
                    + " from seq_1_to_5000000").getBytes(StandardCharsets.US_ASCII)));
            assertThat(c.read().first()).as("column count").isEqualTo(2);
            c.read();
            c.read();
            c.read();
            c.read(); // the first row
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int running = running(marker);
        while (running > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            running = running(marker);
        }
        assertThat(running).as("the statement still runs in the database after its client left").isZero();
    }

    private static int running(String marker) throws Exception {
        try (Connection direct = MySqlFixture.direct();
                PreparedStatement ps = direct.prepareStatement("select count(*) from information_schema.processlist"
                        + " where info like concat('%', ?, '%') and id <> connection_id()")) {
            ps.setString(1, marker);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void aSilentClientIsClosedAfterTheStartupTimeout() throws Exception {
        double before = clientErrors("startup_timeout");
        try (RawMySqlConnection c = raw()) {
            c.greeting();
            long start = System.nanoTime();
            ServerError error = c.expectError();
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertError(error, 1043, "08S01", "did not complete within 3000 ms");
            assertThat(elapsed).as("ms until the timeout").isBetween(2_500L, 10_000L);
            c.assertClosedByPeer();
        }
        assertThat(clientErrors("startup_timeout") - before).isEqualTo(1.0);
    }

    @Test
    void aClientThatNeverAnswersTheAuthSwitchIsClosedAfterTheStartupTimeout() throws Exception {
        byte[] response = RawMySqlConnection.handshakeResponse("alice", "scrambled-not-a-token", "it");
        String asked = new String(response, StandardCharsets.ISO_8859_1)
                .replace("mysql_clear_password", "caching_sha2_password");
        try (RawMySqlConnection c = raw()) {
            c.greeting();
            c.sendPacket(1, asked.getBytes(StandardCharsets.ISO_8859_1));
            Packet authSwitch = c.read();
            assertThat(authSwitch.first()).as("an auth switch request").isEqualTo(0xFE);
            assertThat(new String(authSwitch.payload(), StandardCharsets.ISO_8859_1)).contains("mysql_clear_password");
            assertThat(authSwitch.seq()).isEqualTo(2);
            ServerError error = c.expectError();
            assertError(error, 1043, "08S01", "did not complete");
            assertThat(error.seq()).as("the sequence the client is at").isEqualTo(3);
            c.assertClosedByPeer();
        }
    }
}
