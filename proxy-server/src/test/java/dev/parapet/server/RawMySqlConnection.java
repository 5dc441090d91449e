package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A MySQL client on a bare socket, for the tests that must send what no driver would: it reads
 * and writes packets (header and payload, joined and split at 16 MiB like the protocol says),
 * logs in with mysql_clear_password, and reads text results and ERR packets as they came.
 */
final class RawMySqlConnection implements AutoCloseable {

    static final int MAX_PHYSICAL = 0xFFFFFF;
    static final int CAPABILITIES = 0x1 | 0x8 /* CONNECT_WITH_DB */ | 0x200 /* PROTOCOL_41 */ | 0x2000
            | 0x8000 /* SECURE_CONNECTION */ | 0x20000 /* MULTI_RESULTS */ | 0x80000 /* PLUGIN_AUTH */
            | 0x200000 /* PLUGIN_AUTH_LENENC_CLIENT_DATA */;

    /** One logical packet: the sequence id of its last part and its payload. */
    record Packet(int seq, byte[] payload) {
        int first() {
            return payload.length == 0 ? -1 : payload[0] & 0xFF;
        }

        boolean isError() {
            return first() == 0xFF;
        }

        ServerError error() {
            assertThat(isError()).as("an ERR packet, got %s", this).isTrue();
            int code = (payload[1] & 0xFF) | (payload[2] & 0xFF) << 8;
            String state = payload.length >= 9 && payload[3] == '#' ? new String(payload, 4, 5, StandardCharsets.US_ASCII) : "";
            int at = state.isEmpty() ? 3 : 9;
            return new ServerError(seq, code, state, new String(payload, at, payload.length - at, StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "packet seq " + seq + " [" + payload.length + " bytes] "
                    + new String(payload, 0, Math.min(payload.length, 200), StandardCharsets.ISO_8859_1);
        }
    }

    record ServerError(int seq, int code, String sqlState, String message) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private Packet greeting;

    private RawMySqlConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawMySqlConnection open(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        socket.setTcpNoDelay(true);
        return new RawMySqlConnection(socket);
    }

    Socket socket() {
        return socket;
    }

    /** Reads the server's greeting (protocol version 10). */
    Packet greeting() throws IOException {
        greeting = read();
        assertThat(greeting.first()).as("greeting %s", greeting).isEqualTo(10);
        return greeting;
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes one logical packet, split into physical packets of up to 16 MiB - 1; returns the next sequence id. */
    int sendPacket(int seq, byte[] payload) throws IOException {
        int offset = 0;
        while (true) {
            int chunk = Math.min(payload.length - offset, MAX_PHYSICAL);
            out.write(new byte[] {(byte) chunk, (byte) (chunk >> 8), (byte) (chunk >> 16), (byte) seq});
            out.write(payload, offset, chunk);
            seq = (seq + 1) & 0xFF;
            offset += chunk;
            if (chunk < MAX_PHYSICAL) {
                out.flush();
                return seq;
            }
        }
    }

    /** Reads one logical packet (joining physical packets of 16 MiB - 1). */
    Packet read() throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        while (true) {
            byte[] header = new byte[4];
            in.readFully(header);
            int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
            byte[] part = new byte[length];
            in.readFully(part);
            payload.write(part);
            if (length < MAX_PHYSICAL) {
                return new Packet(header[3] & 0xFF, payload.toByteArray());
            }
        }
    }

    ServerError expectError() throws IOException {
        return read().error();
    }

    /** A HandshakeResponse41 naming mysql_clear_password, its token sent as it is. */
    static byte[] handshakeResponse(String user, String password, String database) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        writeIntLE(p, CAPABILITIES);
        writeIntLE(p, 1 << 24);
        p.write(45);
        p.writeBytes(new byte[23]);
        writeNul(p, user);
        byte[] auth = (password + "\0").getBytes(StandardCharsets.UTF_8);
        writeLenenc(p, auth.length);
        p.writeBytes(auth);
        writeNul(p, database);
        writeNul(p, "mysql_clear_password");
        return p.toByteArray();
    }

    /** Reads the greeting and logs in; returns the server's answer (OK or ERR). */
    Packet login(String user, String password, String database) throws IOException {
        greeting();
        sendPacket(1, handshakeResponse(user, password, database));
        return read();
    }

    static RawMySqlConnection loggedIn(int port, String user, String database) throws IOException {
        RawMySqlConnection c = open(port);
        Packet answer = c.login(user, user + "-pw", database);
        assertThat(answer.first()).as("login answer %s", answer).isZero();
        assertThat(answer.seq()).isEqualTo(2);
        return c;
    }

    /** Sends a COM_QUERY (split when it is 16 MiB or more) and reads its text result: rows of column values. */
    List<List<String>> query(String sql) throws IOException {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[1 + text.length];
        payload[0] = 0x03;
        System.arraycopy(text, 0, payload, 1, text.length);
        sendPacket(0, payload);
        return readResult();
    }

    /** Reads a text result (column count, definitions, EOF, rows, EOF); an ERR fails the test. */
    List<List<String>> readResult() throws IOException {
        Packet head = read();
        if (head.isError()) {
            throw new AssertionError("ERR " + head.error());
        }
        if (head.first() == 0) {
            return List.of();
        }
        int columns = head.first();
        for (int i = 0; i < columns; i++) {
            read();
        }
        assertThat(read().first()).as("EOF after the column definitions").isEqualTo(0xFE);
        List<List<String>> rows = new ArrayList<>();
        while (true) {
            Packet row = read();
            if (row.first() == 0xFE && row.payload().length < 9) {
                return rows;
            }
            if (row.isError()) {
                throw new AssertionError("ERR " + row.error());
            }
            List<String> values = new ArrayList<>();
            int[] at = {0};
            for (int i = 0; i < columns; i++) {
                long length = readLenenc(row.payload(), at);
                if (length < 0) {
                    values.add(null);
                } else {
                    values.add(new String(row.payload(), at[0], (int) length, StandardCharsets.UTF_8));
                    at[0] += (int) length;
                }
            }
            rows.add(values);
        }
    }

    /** Asserts that the server closed the connection: the next read sees the end of the stream (or a reset). */
    void assertClosedByPeer() throws IOException {
        try {
            int b = in.read();
            assertThat(b).as("expected the server to close the connection").isEqualTo(-1);
        } catch (SocketException e) {
            // a reset is a close too
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection", e);
        }
    }

    /** Whether the server closed the connection without anything more to read. */
    boolean readsEndOfStream() throws IOException {
        try {
            read();
            return false;
        } catch (EOFException | SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    static long readLenenc(byte[] b, int[] at) {
        int first = b[at[0]++] & 0xFF;
        long value = switch (first) {
            case 0xFB -> -1;
            case 0xFC -> (b[at[0]] & 0xFF) | (b[at[0] + 1] & 0xFF) << 8;
            case 0xFD -> (b[at[0]] & 0xFF) | (b[at[0] + 1] & 0xFF) << 8 | (b[at[0] + 2] & 0xFF) << 16;
            case 0xFE -> {
                long v = 0;
                for (int i = 7; i >= 0; i--) {
                    v = v << 8 | (b[at[0] + i] & 0xFF);
                }
                yield v;
            }
            default -> first;
        };
        at[0] += switch (first) {
            case 0xFC -> 2;
            case 0xFD -> 3;
            case 0xFE -> 8;
            default -> 0;
        };
        return value;
    }

    static void writeIntLE(ByteArrayOutputStream p, int value) {
        p.write(value);
        p.write(value >> 8);
        p.write(value >> 16);
        p.write(value >> 24);
    }

    static void writeNul(ByteArrayOutputStream p, String value) {
        p.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        p.write(0);
    }

    static void writeLenenc(ByteArrayOutputStream p, long value) {
        if (value < 0xFB) {
            p.write((int) value);
        } else {
            p.write(0xFC);
            p.write((int) value);
            p.write((int) (value >> 8));
        }
    }

    static byte[] command(int command, byte... rest) {
        byte[] payload = Arrays.copyOf(new byte[] {(byte) command}, 1 + rest.length);
        System.arraycopy(rest, 0, payload, 1, rest.length);
        return payload;
    }
}
