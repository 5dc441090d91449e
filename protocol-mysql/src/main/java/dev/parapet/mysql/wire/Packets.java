package dev.parapet.mysql.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;

/**
 * MySQL packets as the gateway handles them: one buffer per logical packet, its four header bytes
 * (length, sequence id) first, then the payload, however many physical packets of up to 16 MiB it
 * came in. The header is filled in when the packet is written, with the sequence id the
 * exchange is at; packets of 16 MiB and more are split again on the way out. Also the
 * length-encoded integers and strings, and the OK, ERR and EOF packets.
 */
public final class Packets {

    /** The largest payload of one physical packet; a payload of this size is continued by the next. */
    public static final int MAX_PHYSICAL = 0xFFFFFF;

    public static final int OK = 0x00;
    public static final int EOF = 0xFE;
    public static final int ERR = 0xFF;
    public static final int LOCAL_INFILE = 0xFB;

    private Packets() {
    }

    /** A new packet with room for its header; the payload is written after it. */
    public static ByteBuf start(ByteBufAllocator alloc, int payloadHint) {
        ByteBuf buf = alloc.buffer(4 + payloadHint);
        buf.writeZero(4);
        return buf;
    }

    public static int payloadLength(ByteBuf packet) {
        return packet.readableBytes() - 4;
    }

    /** The first payload byte (the command, or the kind of a response packet); -1 for an empty payload. */
    public static int first(ByteBuf packet) {
        return packet.readableBytes() > 4 ? packet.getUnsignedByte(packet.readerIndex() + 4) : -1;
    }

    /** The sequence id the packet (its last physical part) came with. */
    public static int sequence(ByteBuf packet) {
        return packet.getUnsignedByte(packet.readerIndex() + 3);
    }

    /**
     * Writes a packet (taking it) with the sequence id {@code seq}, split into physical packets
     * when it is 16 MiB or more; returns the sequence id of the next packet of the exchange.
     */
    public static int write(Channel channel, ByteBuf packet, int seq) {
        int length = payloadLength(packet);
        int at = packet.readerIndex();
        if (length < MAX_PHYSICAL) {
            packet.setMediumLE(at, length);
            packet.setByte(at + 3, seq);
            channel.write(packet, channel.voidPromise());
            return (seq + 1) & 0xFF;
        }
        int offset = at + 4;
        int left = length;
        try {
            while (true) {
                int chunk = Math.min(left, MAX_PHYSICAL);
                ByteBuf header = channel.alloc().buffer(4).writeMediumLE(chunk).writeByte(seq);
                seq = (seq + 1) & 0xFF;
                channel.write(header, channel.voidPromise());
                channel.write(packet.retainedSlice(offset, chunk), channel.voidPromise());
                offset += chunk;
                left -= chunk;
                if (chunk < MAX_PHYSICAL) {
                    return seq;
                }
            }
        } finally {
            packet.release();
        }
    }

    // ---- length-encoded values ---------------------------------------------------------------

    /** Reads a length-encoded integer at the reader index; -1 for the NULL marker (0xFB). */
    public static long readLenenc(ByteBuf buf) {
        int first = buf.readUnsignedByte();
        return switch (first) {
            case 0xFB -> -1;
            case 0xFC -> buf.readUnsignedShortLE();
            case 0xFD -> buf.readUnsignedMediumLE();
            case 0xFE -> buf.readLongLE();
            default -> first;
        };
    }

    /** The length-encoded integer at {@code at}: its value in the low bits, its size at {@link #sizeAt}. */
    public static long lenencAt(ByteBuf buf, int at) {
        int first = buf.getUnsignedByte(at);
        return switch (first) {
            case 0xFB -> -1;
            case 0xFC -> buf.getUnsignedShortLE(at + 1);
            case 0xFD -> buf.getUnsignedMediumLE(at + 1);
            case 0xFE -> buf.getLongLE(at + 1);
            default -> first;
        };
    }

    /** How many bytes the length-encoded integer at {@code at} takes. */
    public static int sizeAt(ByteBuf buf, int at) {
        return switch (buf.getUnsignedByte(at)) {
            case 0xFC -> 3;
            case 0xFD -> 4;
            case 0xFE -> 9;
            default -> 1;
        };
    }

    public static void writeLenenc(ByteBuf buf, long value) {
        if (value < 0xFB) {
            buf.writeByte((int) value);
        } else if (value < 0x10000) {
            buf.writeByte(0xFC).writeShortLE((int) value);
        } else if (value < 0x1000000) {
            buf.writeByte(0xFD).writeMediumLE((int) value);
        } else {
            buf.writeByte(0xFE).writeLongLE(value);
        }
    }

    public static int lenencSize(long value) {
        return value < 0xFB ? 1 : value < 0x10000 ? 3 : value < 0x1000000 ? 4 : 9;
    }

    public static void writeLenencBytes(ByteBuf buf, byte[] value) {
        writeLenenc(buf, value.length);
        buf.writeBytes(value);
    }

    public static void writeLenencString(ByteBuf buf, String value) {
        writeLenencBytes(buf, value.getBytes(StandardCharsets.UTF_8));
    }

    public static String readLenencString(ByteBuf buf) {
        long length = readLenenc(buf);
        if (length < 0) {
            return null;
        }
        checkReadable(buf, length);
        return buf.readCharSequence((int) length, StandardCharsets.UTF_8).toString();
    }

    public static byte[] readLenencBytes(ByteBuf buf) {
        long length = readLenenc(buf);
        if (length < 0) {
            return null;
        }
        checkReadable(buf, length);
        byte[] out = new byte[(int) length];
        buf.readBytes(out);
        return out;
    }

    /** Reads a NUL-terminated string; the rest of the buffer when there is no NUL. */
    public static String readNulString(ByteBuf buf) {
        int end = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
        int length = (end < 0 ? buf.writerIndex() : end) - buf.readerIndex();
        String value = buf.readCharSequence(length, StandardCharsets.UTF_8).toString();
        if (end >= 0) {
            buf.skipBytes(1);
        }
        return value;
    }

    public static void writeNulString(ByteBuf buf, String value) {
        buf.writeCharSequence(value, StandardCharsets.UTF_8);
        buf.writeByte(0);
    }

    private static void checkReadable(ByteBuf buf, long length) {
        if (length > buf.readableBytes()) {
            throw new IndexOutOfBoundsException("a length-encoded value of " + length + " bytes runs past its packet");
        }
    }

    // ---- OK, ERR, EOF ------------------------------------------------------------------------

    /** An ERR packet: {@code code} is MySQL's error number, {@code sqlState} five characters. */
    public static ByteBuf error(ByteBufAllocator alloc, int code, String sqlState, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = start(alloc, 9 + text.length);
        buf.writeByte(ERR).writeShortLE(code).writeByte('#');
        buf.writeCharSequence(sqlState, StandardCharsets.US_ASCII);
        buf.writeBytes(text);
        return buf;
    }

    /** An OK packet (0x00), or the OK that ends a result when EOF packets are deprecated (0xFE). */
    public static ByteBuf ok(ByteBufAllocator alloc, int header, long affectedRows, int status, int warnings) {
        ByteBuf buf = start(alloc, 16);
        buf.writeByte(header);
        writeLenenc(buf, affectedRows);
        writeLenenc(buf, 0);
        buf.writeShortLE(status).writeShortLE(warnings);
        return buf;
    }

    public static ByteBuf eof(ByteBufAllocator alloc, int status, int warnings) {
        ByteBuf buf = start(alloc, 5);
        buf.writeByte(EOF).writeShortLE(warnings).writeShortLE(status);
        return buf;
    }

    /** Whether the packet ends a result (an EOF packet, or the OK that replaces it): 0xFE and under 16 MiB. */
    public static boolean isTerminator(ByteBuf packet) {
        return first(packet) == EOF && payloadLength(packet) < MAX_PHYSICAL;
    }

    /**
     * The server status flags of an OK, EOF or result-ending packet; {@code deprecateEof}: a
     * 0xFE packet is an OK packet rather than an EOF packet.
     */
    public static int status(ByteBuf packet, boolean deprecateEof) {
        int at = packet.readerIndex() + 4;
        int header = packet.getUnsignedByte(at);
        if (header == EOF && !deprecateEof) {
            return payloadLength(packet) >= 5 ? packet.getUnsignedShortLE(at + 3) : 0;
        }
        at++;
        at += sizeAt(packet, at); // affected rows
        at += sizeAt(packet, at); // last insert id
        return at + 2 <= packet.writerIndex() ? packet.getUnsignedShortLE(at) : 0;
    }

    /** The affected-row count of an OK packet. */
    public static long affectedRows(ByteBuf packet) {
        int at = packet.readerIndex() + 5;
        return at < packet.writerIndex() ? lenencAt(packet, at) : 0;
    }

    /** The error number, SQLSTATE and message of an ERR packet. */
    public record Error(int code, String sqlState, String message) {
        public static Error of(ByteBuf packet) {
            int at = packet.readerIndex() + 5;
            int end = packet.writerIndex();
            int code = end >= at + 2 ? packet.getUnsignedShortLE(at) : 0;
            at += 2;
            String state = "HY000";
            if (at < end && packet.getByte(at) == '#' && end >= at + 6) {
                state = packet.toString(at + 1, 5, StandardCharsets.US_ASCII);
                at += 6;
            }
            String message = at < end ? packet.toString(at, end - at, StandardCharsets.UTF_8) : "";
            return new Error(code, state, message);
        }
    }
}
