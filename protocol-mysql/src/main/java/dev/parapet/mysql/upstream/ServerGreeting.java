package dev.parapet.mysql.upstream;

import dev.parapet.mysql.wire.Packets;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The initial handshake (protocol version 10) a MySQL server sends first: its version, the
 * connection's thread id, the scramble for the password exchange, its capabilities, its default
 * character set and the authentication plugin it starts with.
 */
public record ServerGreeting(String serverVersion, long connectionId, byte[] scramble, int capabilities,
        int charset, int status, String authPlugin) {

    /** Reads a greeting packet (header included); throws IllegalArgumentException when it is not one. */
    public static ServerGreeting of(ByteBuf packet) {
        ByteBuf in = packet.slice(packet.readerIndex() + 4, packet.readableBytes() - 4);
        int version = in.readUnsignedByte();
        if (version == Packets.ERR) {
            throw new IllegalArgumentException("the server refused the connection: " + Packets.Error.of(packet).message());
        }
        if (version != 10) {
            throw new IllegalArgumentException("the server speaks handshake version " + version + ", not 10");
        }
        String serverVersion = Packets.readNulString(in);
        long connectionId = in.readUnsignedIntLE();
        byte[] part1 = new byte[8];
        in.readBytes(part1);
        in.skipBytes(1);
        int capabilities = in.readUnsignedShortLE();
        int charset = 0;
        int status = 0;
        int authLength = 0;
        String plugin = "mysql_native_password";
        byte[] scramble = part1;
        if (in.isReadable()) {
            charset = in.readUnsignedByte();
            status = in.readUnsignedShortLE();
            capabilities |= in.readUnsignedShortLE() << 16;
            authLength = in.readUnsignedByte();
            in.skipBytes(10);
            if ((capabilities & dev.parapet.mysql.wire.Capabilities.SECURE_CONNECTION) != 0) {
                int part2Length = Math.max(13, authLength - 8);
                byte[] part2 = new byte[Math.min(part2Length, in.readableBytes())];
                in.readBytes(part2);
                int keep = part2.length > 0 && part2[part2.length - 1] == 0 ? part2.length - 1 : part2.length;
                scramble = new byte[8 + keep];
                System.arraycopy(part1, 0, scramble, 0, 8);
                System.arraycopy(part2, 0, scramble, 8, keep);
            }
            if ((capabilities & dev.parapet.mysql.wire.Capabilities.PLUGIN_AUTH) != 0 && in.isReadable()) {
                plugin = Packets.readNulString(in);
            }
        }
        return new ServerGreeting(serverVersion, connectionId, scramble, capabilities, charset, status, plugin);
    }

    /** Whether the server is MariaDB (which says so in its version). */
    public boolean mariadb() {
        return serverVersion.toLowerCase(java.util.Locale.ROOT).contains("mariadb");
    }

    @Override
    public String toString() {
        return "ServerGreeting[" + serverVersion + ", connection " + connectionId + ", plugin " + authPlugin + "]";
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
