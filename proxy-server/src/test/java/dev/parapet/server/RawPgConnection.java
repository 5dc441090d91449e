package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL client at the byte level (java.net.Socket), for sending the gateway what real
 * drivers never send and reading exactly what it answers.
 */
final class RawPgConnection implements AutoCloseable {

    static final int PROTOCOL_3_0 = 3 << 16;

    /** One backend message: its tag and its body (without the length). */
    record Message(char tag, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        int int32(int at) {
            return ((body[at] & 0xff) << 24) | ((body[at + 1] & 0xff) << 16) | ((body[at + 2] & 0xff) << 8) | (body[at + 3] & 0xff);
        }

        /** NUL-terminated strings in the body from {@code at} on. */
        List<String> cstrings(int at) {
            List<String> strings = new ArrayList<>();
            int start = at;
            for (int i = at; i < body.length; i++) {
                if (body[i] == 0) {
                    strings.add(new String(body, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return strings;
        }
    }

    /** An ErrorResponse or NoticeResponse, parsed into its fields. */
    record ServerError(Map<Character, String> fields) {
        static ServerError parse(Message m) {
            Map<Character, String> fields = new LinkedHashMap<>();
            int i = 0;
            while (i < m.body().length && m.body()[i] != 0) {
                char code = (char) m.body()[i];
                int end = i + 1;
                while (m.body()[end] != 0) {
                    end++;
                }
                fields.put(code, new String(m.body(), i + 1, end - i - 1, StandardCharsets.UTF_8));
                i = end + 1;
            }
            return new ServerError(fields);
        }

        String severity() {
            return fields.get('S');
        }

        String sqlState() {
            return fields.get('C');
        }

        String message() {
            return fields.get('M');
        }
    }

    /** The cancel key the gateway gave this session. */
    record BackendKey(int processId, int secretKey) {
    }

    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;

    private RawPgConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new DataOutputStream(socket.getOutputStream());
        this.in = new DataInputStream(socket.getInputStream());
    }

    static RawPgConnection open(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        socket.setTcpNoDelay(true);
        return new RawPgConnection(socket);
    }

    Socket socket() {
        return socket;
    }

    // ---- writing -----------------------------------------------------------------------------

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    static byte[] startupPacket(int version, Map<String, String> parameters) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        parameters.forEach((name, value) -> {
            body.writeBytes(cstring(name));
            body.writeBytes(cstring(value));
        });
        body.write(0);
        return untagged(version, body.toByteArray());
    }

    /** An untagged packet: Int32 length (counting itself), Int32 code or version, the rest. */
    static byte[] untagged(int code, byte[] rest) {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        writeInt(packet, 8 + rest.length);
        writeInt(packet, code);
        packet.writeBytes(rest);
        return packet.toByteArray();
    }

    static byte[] tagged(char tag, byte[] body) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write(tag);
        writeInt(message, body.length + 4);
        message.writeBytes(body);
        return message.toByteArray();
    }

    static byte[] cstring(String s) {
        byte[] text = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[text.length + 1];
        System.arraycopy(text, 0, z, 0, text.length);
        return z;
    }

    static void writeInt(ByteArrayOutputStream o, int v) {
        o.write(v >>> 24);
        o.write(v >>> 16);
        o.write(v >>> 8);
        o.write(v);
    }

    void sendStartup(Map<String, String> parameters) throws IOException {
        send(startupPacket(PROTOCOL_3_0, parameters));
    }

    void sendPassword(String password) throws IOException {
        send(tagged('p', cstring(password)));
    }

    void sendQuery(String sql) throws IOException {
        send(tagged('Q', cstring(sql)));
    }

    /** Sends a CancelRequest on a connection of its own; returns what the gateway then did with it. */
    static byte[] cancel(int port, int processId, int secretKey) throws IOException {
        try (RawPgConnection c = open(port)) {
            ByteArrayOutputStream key = new ByteArrayOutputStream();
            writeInt(key, processId);
            writeInt(key, secretKey);
            c.send(untagged(80877102, key.toByteArray()));
            return c.readToEnd();
        }
    }

    // ---- reading -----------------------------------------------------------------------------

    /** One byte (the answer to SSLRequest / GSSENCRequest), or -1 at the end of the stream. */
    int readByte() throws IOException {
        return in.read();
    }

    /** The next message, or null when the gateway closed the connection cleanly before one began. */
    Message read() throws IOException {
        int tag = in.read();
        if (tag < 0) {
            return null;
        }
        int length = in.readInt();
        assertThat(length).as("length of message '%s'", (char) tag).isBetween(4, 64 << 20);
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message((char) tag, body);
    }

    Message expect(char tag) throws IOException {
        Message m = read();
        assertThat(m).as("a '%s' message (got the end of the stream)", tag).isNotNull();
        if (m.tag() == 'E' && tag != 'E') {
            fail("expected '%s' but the gateway sent an error: %s", tag, ServerError.parse(m).fields());
        }
        assertThat(m.tag()).as("message type").isEqualTo(tag);
        return m;
    }

    /** The next message, which must be an ErrorResponse. */
    ServerError expectError() throws IOException {
        return ServerError.parse(expect('E'));
    }

    /** Asserts that the gateway closes the connection and sends nothing more before it does. */
    void assertClosedByPeer() throws IOException {
        byte[] rest = readToEnd();
        assertThat(rest).as("bytes sent before the close").isEmpty();
    }

    /** Everything until the gateway closes the connection (a reset counts as a close). */
    byte[] readToEnd() throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            InputStream stream = in;
            int n;
            while ((n = stream.read(buf)) >= 0) {
                rest.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            fail("the gateway did not close the connection within %d ms", socket.getSoTimeout());
        } catch (SocketException e) {
            if (!String.valueOf(e.getMessage()).contains("reset")) {
                throw e;
            }
        }
        return rest.toByteArray();
    }

    /**
     * Logs in with the cleartext password exchange the gateway asks for, and reads up to the first
     * ReadyForQuery. Returns the cancel key from BackendKeyData.
     */
    BackendKey login(String user, String password, String database) throws IOException {
        sendStartup(Map.of("user", user, "database", database, "application_name", BadInputIT.APPLICATION));
        return passwordAndReady(password);
    }

    /** After a startup packet: answers the password request and reads to ReadyForQuery. */
    BackendKey passwordAndReady(String password) throws IOException {
        Message request = expect('R');
        assertThat(request.int32(0)).as("authentication request type (3 = cleartext password)").isEqualTo(3);
        sendPassword(password);
        Message ok = expect('R');
        assertThat(ok.int32(0)).as("AuthenticationOk").isZero();
        BackendKey key = null;
        List<String> parameters = new ArrayList<>();
        while (true) {
            Message m = read();
            assertThat(m).as("the rest of the login").isNotNull();
            switch (m.tag()) {
                case 'S' -> parameters.add(m.cstrings(0).get(0));
                case 'K' -> key = new BackendKey(m.int32(0), m.int32(4));
                case 'Z' -> {
                    assertThat(parameters).contains("server_version", "client_encoding");
                    assertThat(key).as("BackendKeyData before ReadyForQuery").isNotNull();
                    return key;
                }
                case 'E' -> fail("login failed: %s", ServerError.parse(m).fields());
                default -> fail("unexpected message '%s' during login", m.tag());
            }
        }
    }

    /** Reads a simple query's answer up to ReadyForQuery; returns the messages before it. */
    List<Message> readUntilReady() throws IOException {
        List<Message> messages = new ArrayList<>();
        while (true) {
            Message m = read();
            if (m == null) {
                throw new EOFException("connection closed before ReadyForQuery; got " + messages);
            }
            if (m.tag() == 'Z') {
                return messages;
            }
            messages.add(m);
        }
    }

    /** Runs a one-row, one-column query and returns its value. */
    String queryValue(String sql) throws IOException {
        sendQuery(sql);
        List<Message> answer = readUntilReady();
        List<Character> tags = answer.stream().map(Message::tag).toList();
        assertThat(tags).as("answer to %s", sql).containsExactly('T', 'D', 'C');
        Message row = answer.get(1);
        int length = row.int32(2);
        return new String(row.body(), 6, length, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
