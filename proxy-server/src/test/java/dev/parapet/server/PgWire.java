package dev.parapet.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal PostgreSQL protocol client over a plain socket, for tests that need control no real
 * driver gives: reading deliberately slowly, sending malformed bytes, inspecting raw messages.
 */
final class PgWire implements AutoCloseable {

    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;

    PgWire(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    /** One message: its tag and body. */
    record Message(char tag, byte[] body) {
        /** ErrorResponse / NoticeResponse fields by code. */
        Map<Character, String> fields() {
            Map<Character, String> fields = new LinkedHashMap<>();
            int i = 0;
            while (i < body.length && body[i] != 0) {
                char code = (char) body[i++];
                int start = i;
                while (body[i] != 0) {
                    i++;
                }
                fields.put(code, new String(body, start, i - start, StandardCharsets.UTF_8));
                i++;
            }
            return fields;
        }
    }

    void startup(Map<String, String> params) throws IOException {
        byte[] body = cstrings(params);
        out.writeInt(8 + body.length + 1);
        out.writeInt(3 << 16);
        out.write(body);
        out.writeByte(0);
        out.flush();
    }

    /** Logs in with a password and reads up to the first ReadyForQuery; fails on an error. */
    void login(String database, String user, String password) throws IOException {
        startup(Map.of("user", user, "database", database));
        Message auth = read();
        if (auth.tag() != 'R') {
            throw new IOException("expected an authentication request, got " + auth.tag() + " " + auth.fields());
        }
        send('p', (password + "\0").getBytes(StandardCharsets.UTF_8));
        Message m;
        while ((m = read()).tag() != 'Z') {
            if (m.tag() == 'E') {
                throw new IOException("login failed: " + m.fields());
            }
        }
    }

    void send(char tag, byte[] body) throws IOException {
        out.writeByte(tag);
        out.writeInt(4 + body.length);
        out.write(body);
        out.flush();
    }

    void query(String sql) throws IOException {
        send('Q', (sql + "\0").getBytes(StandardCharsets.UTF_8));
    }

    Message read() throws IOException {
        char tag = (char) in.readUnsignedByte();
        int length = in.readInt();
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message(tag, body);
    }

    /** Reads messages until ReadyForQuery, returning the first error (or null). */
    Message readUntilReady() throws IOException {
        Message error = null;
        Message m;
        while ((m = read()).tag() != 'Z') {
            if (m.tag() == 'E' && error == null) {
                error = m;
            }
        }
        return error;
    }

    InputStream raw() {
        return in;
    }

    private static byte[] cstrings(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(k).append('\0').append(v).append('\0'));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
