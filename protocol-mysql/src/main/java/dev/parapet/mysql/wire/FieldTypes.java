package dev.parapet.mysql.wire;

import io.netty.buffer.ByteBuf;

/** MySQL's column type codes, and how long a value of each is in a binary result row. */
public final class FieldTypes {

    public static final int DECIMAL = 0;
    public static final int TINY = 1;
    public static final int SHORT = 2;
    public static final int LONG = 3;
    public static final int FLOAT = 4;
    public static final int DOUBLE = 5;
    public static final int NULL = 6;
    public static final int TIMESTAMP = 7;
    public static final int LONGLONG = 8;
    public static final int INT24 = 9;
    public static final int DATE = 10;
    public static final int TIME = 11;
    public static final int DATETIME = 12;
    public static final int YEAR = 13;
    public static final int NEWDATE = 14;
    public static final int VARCHAR = 15;
    public static final int BIT = 16;
    public static final int TIMESTAMP2 = 17;
    public static final int DATETIME2 = 18;
    public static final int TIME2 = 19;
    public static final int JSON = 245;
    public static final int NEWDECIMAL = 246;
    public static final int ENUM = 247;
    public static final int SET = 248;
    public static final int TINY_BLOB = 249;
    public static final int MEDIUM_BLOB = 250;
    public static final int LONG_BLOB = 251;
    public static final int BLOB = 252;
    public static final int VAR_STRING = 253;
    public static final int STRING = 254;
    public static final int GEOMETRY = 255;

    private FieldTypes() {
    }

    /** Whether a binary row carries the type as a length-encoded string (text, blobs, decimals, bits). */
    public static boolean lengthEncoded(int type) {
        return switch (type) {
            case TINY, SHORT, YEAR, INT24, LONG, LONGLONG, FLOAT, DOUBLE, NULL,
                    DATE, NEWDATE, DATETIME, TIMESTAMP, DATETIME2, TIMESTAMP2, TIME, TIME2 -> false;
            default -> true;
        };
    }

    /** The size, prefix included, of the binary value of {@code type} at {@code at}. */
    public static int binarySize(int type, ByteBuf row, int at) {
        return switch (type) {
            case NULL -> 0;
            case TINY -> 1;
            case SHORT, YEAR -> 2;
            case INT24, LONG, FLOAT -> 4;
            case LONGLONG, DOUBLE -> 8;
            case DATE, NEWDATE, DATETIME, TIMESTAMP, DATETIME2, TIMESTAMP2, TIME, TIME2 -> 1 + row.getUnsignedByte(at);
            default -> {
                long length = Packets.lenencAt(row, at);
                if (length < 0 || length > Integer.MAX_VALUE) {
                    throw new IndexOutOfBoundsException("a binary value with a bad length");
                }
                yield Packets.sizeAt(row, at) + (int) length;
            }
        };
    }
}
