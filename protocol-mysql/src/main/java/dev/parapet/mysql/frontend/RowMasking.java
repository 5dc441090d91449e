package dev.parapet.mysql.frontend;

import dev.parapet.core.MaskPlan;
import dev.parapet.masking.CellMasker;
import dev.parapet.masking.MaskAction;
import dev.parapet.masking.MaskedCell;
import dev.parapet.mysql.wire.ColumnDefinition;
import dev.parapet.mysql.wire.FieldTypes;
import dev.parapet.mysql.wire.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Masks the rows of one result as its {@link MaskPlan} says, in the text protocol (every cell a
 * length-encoded string, 0xFB for NULL) or the binary one (a NULL bitmap, then each non-NULL
 * value in its type's binary form). Binary numbers and dates are masked through their text form
 * and written back in their type; a masked value that no longer fits the type is sent as NULL.
 * A row with nothing to change leaves as the buffer it came in.
 */
final class RowMasking {

    private final MaskPlan plan;
    private final ColumnDefinition[] columns;
    private final boolean binary;

    RowMasking(MaskPlan plan, List<ColumnDefinition> columns, boolean binary) {
        this.plan = plan;
        this.columns = columns.toArray(ColumnDefinition[]::new);
        this.binary = binary;
    }

    MaskPlan plan() {
        return plan;
    }

    /** The row packet as the client gets it: the same buffer when nothing changes, else a new one ({@code row} released). */
    ByteBuf apply(ByteBuf row, CellMasker masker, ByteBufAllocator alloc) {
        return binary ? binaryRow(row, masker, alloc) : textRow(row, masker, alloc);
    }

    private ByteBuf textRow(ByteBuf row, CellMasker masker, ByteBufAllocator alloc) {
        int count = columns.length;
        byte[][] replaced = null;
        boolean[] nulled = null;
        byte[] bytes = null;
        int bytesOffset = 0;
        int at = row.readerIndex() + 4;
        for (int i = 0; i < count; i++) {
            int size = Packets.sizeAt(row, at);
            long length = Packets.lenencAt(row, at);
            MaskAction action = plan.actions().get(i);
            if (action != null && length >= 0) {
                if (bytes == null) {
                    if (row.hasArray()) {
                        bytes = row.array();
                        bytesOffset = row.arrayOffset();
                    } else {
                        bytes = ByteBufUtil.getBytes(row, 0, row.writerIndex(), false);
                    }
                }
                MaskedCell masked = unscannable(action, bytes, bytesOffset + at + size, (int) length) ? MaskedCell.NULL
                        : masker.mask(bytes, bytesOffset + at + size, (int) length, plan.types().get(i), action);
                if (masked != MaskedCell.UNCHANGED) {
                    if (replaced == null) {
                        replaced = new byte[count][];
                        nulled = new boolean[count];
                    }
                    if (masked instanceof MaskedCell.Replaced r) {
                        replaced[i] = r.utf8();
                    } else {
                        nulled[i] = true;
                    }
                }
            }
            at += size + Math.max(0, length);
        }
        if (replaced == null) {
            return row;
        }
        try {
            ByteBuf out = Packets.start(alloc, row.readableBytes() + 32);
            at = row.readerIndex() + 4;
            for (int i = 0; i < count; i++) {
                int size = Packets.sizeAt(row, at);
                long length = Packets.lenencAt(row, at);
                int whole = size + (int) Math.max(0, length);
                if (nulled[i]) {
                    out.writeByte(0xFB);
                } else if (replaced[i] != null) {
                    Packets.writeLenencBytes(out, replaced[i]);
                } else {
                    out.writeBytes(row, at, whole);
                }
                at += whole;
            }
            return out;
        } finally {
            row.release();
        }
    }

    private ByteBuf binaryRow(ByteBuf row, CellMasker masker, ByteBufAllocator alloc) {
        int count = columns.length;
        int bitmapAt = row.readerIndex() + 5;
        int bitmapLength = (count + 7 + 2) / 8;
        int at = bitmapAt + bitmapLength;
        byte[][] replaced = null;
        boolean[] nulled = null;
        for (int i = 0; i < count; i++) {
            if (isNull(row, bitmapAt, i)) {
                continue;
            }
            ColumnDefinition column = columns[i];
            int size = FieldTypes.binarySize(column.type(), row, at);
            MaskAction action = plan.actions().get(i);
            if (action != null) {
                MaskedCell masked = maskBinary(row, at, size, column, i, action, masker);
                if (masked != MaskedCell.UNCHANGED) {
                    if (replaced == null) {
                        replaced = new byte[count][];
                        nulled = new boolean[count];
                    }
                    if (masked instanceof MaskedCell.Replaced r) {
                        replaced[i] = r.utf8();
                    } else {
                        nulled[i] = true;
                    }
                }
            }
            at += size;
        }
        if (replaced == null) {
            return row;
        }
        try {
            ByteBuf out = Packets.start(alloc, row.readableBytes() + 32);
            out.writeByte(0x00);
            int outBitmap = out.writerIndex();
            out.writeBytes(row, bitmapAt, bitmapLength);
            at = bitmapAt + bitmapLength;
            for (int i = 0; i < count; i++) {
                if (isNull(row, bitmapAt, i)) {
                    continue;
                }
                int size = FieldTypes.binarySize(columns[i].type(), row, at);
                if (nulled[i]) {
                    int bit = i + 2;
                    out.setByte(outBitmap + bit / 8, out.getByte(outBitmap + bit / 8) | (1 << (bit % 8)));
                } else if (replaced[i] != null) {
                    out.writeBytes(replaced[i]);
                } else {
                    out.writeBytes(row, at, size);
                }
                at += size;
            }
            return out;
        } finally {
            row.release();
        }
    }

    /**
     * Whether a cell whose content would be scanned holds NUL bytes: text in UTF-16, UTF-32 or
     * UCS-2 (a client can ask for results in them with {@code character_set_results}) hides what
     * the detectors look for between NULs, so such a cell is sent as NULL rather than unscanned.
     */
    private static boolean unscannable(MaskAction action, byte[] bytes, int offset, int length) {
        if (action instanceof MaskAction.WholeValue) {
            return false;
        }
        for (int i = offset, end = offset + length; i < end; i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNull(ByteBuf row, int bitmapAt, int column) {
        int bit = column + 2;
        return (row.getUnsignedByte(bitmapAt + bit / 8) & (1 << (bit % 8))) != 0;
    }

    /** One binary cell: the replacement in the column's binary form (prefix included), NULL, or unchanged. */
    private MaskedCell maskBinary(ByteBuf row, int at, int size, ColumnDefinition column, int index, MaskAction action,
            CellMasker masker) {
        int type = column.type();
        if (FieldTypes.lengthEncoded(type)) {
            int prefix = Packets.sizeAt(row, at);
            byte[] value = ByteBufUtil.getBytes(row, at + prefix, size - prefix);
            if (unscannable(action, value, 0, value.length)) {
                return MaskedCell.NULL;
            }
            MaskedCell masked = masker.mask(value, 0, value.length, plan.types().get(index), action);
            if (masked instanceof MaskedCell.Replaced r) {
                byte[] out = new byte[Packets.lenencSize(r.utf8().length) + r.utf8().length];
                ByteBuf wrap = io.netty.buffer.Unpooled.wrappedBuffer(out).writerIndex(0);
                Packets.writeLenencBytes(wrap, r.utf8());
                return new MaskedCell.Replaced(out);
            }
            return masked;
        }
        String text = BinaryValues.toText(type, column.unsigned(), row, at);
        if (text == null) {
            return MaskedCell.NULL;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        MaskedCell masked = masker.mask(utf8, 0, utf8.length, plan.types().get(index), action);
        if (masked instanceof MaskedCell.Replaced r) {
            byte[] binary = BinaryValues.fromText(type, column.unsigned(), new String(r.utf8(), StandardCharsets.UTF_8));
            return binary == null ? MaskedCell.NULL : new MaskedCell.Replaced(binary);
        }
        return masked;
    }

    /** Binary numbers, dates and times to their text form and back. */
    static final class BinaryValues {

        private BinaryValues() {
        }

        static String toText(int type, boolean unsigned, ByteBuf row, int at) {
            return switch (type) {
                case FieldTypes.TINY -> Integer.toString(unsigned ? row.getUnsignedByte(at) : row.getByte(at));
                case FieldTypes.SHORT, FieldTypes.YEAR ->
                        Integer.toString(unsigned || type == FieldTypes.YEAR ? row.getUnsignedShortLE(at) : row.getShortLE(at));
                case FieldTypes.INT24, FieldTypes.LONG ->
                        unsigned ? Long.toString(row.getUnsignedIntLE(at)) : Integer.toString(row.getIntLE(at));
                case FieldTypes.LONGLONG -> unsigned ? Long.toUnsignedString(row.getLongLE(at)) : Long.toString(row.getLongLE(at));
                case FieldTypes.FLOAT -> Float.toString(Float.intBitsToFloat(row.getIntLE(at)));
                case FieldTypes.DOUBLE -> Double.toString(Double.longBitsToDouble(row.getLongLE(at)));
                case FieldTypes.DATE, FieldTypes.NEWDATE, FieldTypes.DATETIME, FieldTypes.TIMESTAMP,
                        FieldTypes.DATETIME2, FieldTypes.TIMESTAMP2 -> dateTime(row, at);
                default -> null; // TIME: masked as NULL
            };
        }

        private static String dateTime(ByteBuf row, int at) {
            int length = row.getUnsignedByte(at);
            if (length < 4) {
                return "0000-00-00";
            }
            String date = String.format("%04d-%02d-%02d", row.getUnsignedShortLE(at + 1), row.getUnsignedByte(at + 3),
                    row.getUnsignedByte(at + 4));
            if (length < 7) {
                return date;
            }
            String time = String.format(" %02d:%02d:%02d", row.getUnsignedByte(at + 5), row.getUnsignedByte(at + 6),
                    row.getUnsignedByte(at + 7));
            if (length < 11) {
                return date + time;
            }
            return date + time + String.format(".%06d", row.getUnsignedIntLE(at + 8));
        }

        /** The binary form of {@code text} in {@code type}, or null when it is not a value of that type. */
        static byte[] fromText(int type, boolean unsigned, String text) {
            try {
                return switch (type) {
                    case FieldTypes.TINY -> new byte[] {(byte) integer(text, unsigned, 8)};
                    case FieldTypes.SHORT, FieldTypes.YEAR -> le(integer(text, unsigned || type == FieldTypes.YEAR, 16), 2);
                    case FieldTypes.INT24, FieldTypes.LONG -> le(integer(text, unsigned, type == FieldTypes.INT24 ? 24 : 32), 4);
                    case FieldTypes.LONGLONG -> le(integer(text, unsigned, 64), 8);
                    case FieldTypes.FLOAT -> le(Float.floatToIntBits(Float.parseFloat(text)), 4);
                    case FieldTypes.DOUBLE -> le(Double.doubleToLongBits(Double.parseDouble(text)), 8);
                    case FieldTypes.DATE, FieldTypes.NEWDATE, FieldTypes.DATETIME, FieldTypes.TIMESTAMP,
                            FieldTypes.DATETIME2, FieldTypes.TIMESTAMP2 -> dateTime(text);
                    default -> null;
                };
            } catch (RuntimeException e) {
                return null;
            }
        }

        private static long integer(String text, boolean unsigned, int bits) {
            BigInteger value = new BigInteger(text.trim());
            BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits - 1).negate();
            BigInteger max = unsigned ? BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                    : BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new NumberFormatException("out of range");
            }
            return value.longValue();
        }

        private static byte[] le(long value, int bytes) {
            byte[] out = new byte[bytes];
            for (int i = 0; i < bytes; i++) {
                out[i] = (byte) (value >>> (8 * i));
            }
            return out;
        }

        private static byte[] dateTime(String text) {
            var m = java.util.regex.Pattern.compile(
                    "(\\d{4})-(\\d{2})-(\\d{2})(?:[ T](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?)?").matcher(text.trim());
            if (!m.matches()) {
                return null;
            }
            int year = Integer.parseInt(m.group(1));
            if (m.group(4) == null) {
                return new byte[] {4, (byte) year, (byte) (year >> 8), (byte) Integer.parseInt(m.group(2)),
                        (byte) Integer.parseInt(m.group(3))};
            }
            byte[] out = new byte[m.group(7) == null ? 8 : 12];
            out[0] = (byte) (out.length - 1);
            out[1] = (byte) year;
            out[2] = (byte) (year >> 8);
            out[3] = (byte) Integer.parseInt(m.group(2));
            out[4] = (byte) Integer.parseInt(m.group(3));
            out[5] = (byte) Integer.parseInt(m.group(4));
            out[6] = (byte) Integer.parseInt(m.group(5));
            out[7] = (byte) Integer.parseInt(m.group(6));
            if (m.group(7) != null) {
                int micros = Integer.parseInt((m.group(7) + "000000").substring(0, 6));
                out[8] = (byte) micros;
                out[9] = (byte) (micros >> 8);
                out[10] = (byte) (micros >> 16);
                out[11] = (byte) (micros >> 24);
            }
            return out;
        }
    }
}
