package dev.parapet.mysql.auth;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Logs in to the real MariaDB over a bare socket, speaking just enough of the protocol (v10
 * handshake, HandshakeResponse41, auth switch) to send this package's responses and nothing
 * else's, so that the server's OK proves those responses right. Written from the protocol
 * documentation; no TLS, no database, no compression.
 */
final class WireLogin {

    private static final int CLIENT_MYSQL = 1;
    private static final int CLIENT_PROTOCOL_41 = 0x200;
    private static final int CLIENT_SECURE_CONNECTION = 0x8000;
    private static final int CLIENT_PLUGIN_AUTH = 0x80000;
    private static final int UTF8MB4_GENERAL_CI = 45;

    /** Answers the server's request for a plugin's response, given the plugin's scramble. */
    @FunctionalInterface
    interface Responder {
        byte[] respond(String plugin, byte[] scramble);
    }

    /**
     * How the login ended: the header of the server's last packet (0x00 OK, 0xFF ERR), the error
     * code and message of an ERR, and each plugin the server asked for along the way with the
     * length of the scramble it sent.
     */
    record Result(int header, int errorCode, String message, List<String> requests) {
        boolean ok() {
            return header == 0x00;
        }
    }

    private WireLogin() {
    }

    /**
     * Logs in as {@code user}, naming {@code plugin} in the handshake response, with the responder
     * asked for the first response (with the handshake's 20-byte scramble) and for each auth
     * switch or extra request the server sends.
     */
    static Result login(String user, String plugin, Responder responder) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(MariaDb.HOST, MariaDb.PORT), 5_000);
            socket.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            List<String> requests = new ArrayList<>();

            Packet handshake = read(in);
            byte[] scramble = handshakeScramble(handshake.payload);
            requests.add("handshake:" + scramble.length);
            byte[] first = responder.respond(plugin, scramble);
            write(out, handshake.sequence + 1, handshakeResponse(user, plugin, first));

            String current = plugin;
            while (true) {
                Packet packet = read(in);
                byte[] p = packet.payload;
                int header = p[0] & 0xff;
                switch (header) {
                    case 0x00 -> {
                        return new Result(header, 0, "", requests);
                    }
                    case 0xff -> {
                        int code = (p[1] & 0xff) | (p[2] & 0xff) << 8;
                        int messageAt = p.length > 3 && p[3] == '#' ? 9 : 3; // skip '#' and the SQLSTATE
                        return new Result(header, code,
                                new String(p, messageAt, p.length - messageAt, StandardCharsets.UTF_8), requests);
                    }
                    case 0xfe -> { // auth switch: plugin name, NUL, that plugin's data
                        int nul = indexOf(p, 1, (byte) 0);
                        current = new String(p, 1, nul - 1, StandardCharsets.US_ASCII);
                        byte[] data = Arrays.copyOfRange(p, nul + 1, p.length);
                        requests.add("switch:" + current + ":" + data.length);
                        write(out, packet.sequence + 1, responder.respond(current, data));
                    }
                    case 0x01 -> { // more data for the current plugin
                        byte[] data = Arrays.copyOfRange(p, 1, p.length);
                        requests.add("more:" + current + ":" + data.length);
                        write(out, packet.sequence + 1, responder.respond(current, data));
                    }
                    default -> throw new IOException("unexpected packet 0x" + Integer.toHexString(header) + " during login");
                }
            }
        }
    }

    /** The 20-byte scramble of a protocol-10 handshake (its two parts, without the NUL). */
    private static byte[] handshakeScramble(byte[] p) throws IOException {
        if (p[0] != 10) {
            throw new IOException("not a protocol 10 handshake: " + p[0]);
        }
        int at = indexOf(p, 1, (byte) 0) + 1; // past the server version
        at += 4; // connection id
        byte[] scramble = new byte[20];
        System.arraycopy(p, at, scramble, 0, 8);
        at += 8 + 1; // first part, filler
        at += 2 + 1 + 2 + 2; // capabilities (low), charset, status, capabilities (high)
        at += 1 + 10; // length of the auth data, reserved (MariaDB's extended capabilities in the last 4)
        System.arraycopy(p, at, scramble, 8, 12);
        return scramble;
    }

    private static byte[] handshakeResponse(String user, String plugin, byte[] auth) {
        byte[] userBytes = user.getBytes(StandardCharsets.UTF_8);
        byte[] pluginBytes = plugin.getBytes(StandardCharsets.US_ASCII);
        byte[] p = new byte[4 + 4 + 1 + 23 + userBytes.length + 1 + 1 + auth.length + pluginBytes.length + 1];
        int caps = CLIENT_MYSQL | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH;
        int at = putInt(p, 0, caps);
        at = putInt(p, at, 1 << 24);
        p[at++] = (byte) UTF8MB4_GENERAL_CI;
        at += 23;
        System.arraycopy(userBytes, 0, p, at, userBytes.length);
        at += userBytes.length + 1;
        p[at++] = (byte) auth.length;
        System.arraycopy(auth, 0, p, at, auth.length);
        at += auth.length;
        System.arraycopy(pluginBytes, 0, p, at, pluginBytes.length);
        return p;
    }

    private record Packet(int sequence, byte[] payload) {
    }

    private static Packet read(DataInputStream in) throws IOException {
        int length = in.readUnsignedByte() | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
        int sequence = in.readUnsignedByte();
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Packet(sequence, payload);
    }

    private static void write(OutputStream out, int sequence, byte[] payload) throws IOException {
        byte[] header = {(byte) payload.length, (byte) (payload.length >> 8), (byte) (payload.length >> 16), (byte) sequence};
        out.write(header);
        out.write(payload);
        out.flush();
    }

    private static int putInt(byte[] p, int at, int value) {
        for (int i = 0; i < 4; i++) {
            p[at + i] = (byte) (value >> (8 * i));
        }
        return at + 4;
    }

    private static int indexOf(byte[] p, int from, byte b) throws IOException {
        for (int i = from; i < p.length; i++) {
            if (p[i] == b) {
                return i;
            }
        }
        throw new IOException("no NUL after offset " + from);
    }
}
