package dev.parapet.mysql.wire;

import dev.parapet.masking.ColumnType;
import io.netty.buffer.ByteBuf;

/**
 * One column of a result as the database describes it (a ColumnDefinition41 packet): the label
 * the client sees, the base table and column it comes from ({@code org_table}, {@code org_name},
 * empty when computed), its type, flags and character set.
 */
public record ColumnDefinition(String schema, String table, String orgTable, String name, String orgName,
        int charset, long length, int type, int flags, int decimals) {

    public static final int NOT_NULL = 1;
    public static final int UNSIGNED = 32;
    /** The character set number of binary data. */
    public static final int BINARY_CHARSET = 63;

    /** Reads the definition from a packet (header included); the packet is not changed. */
    public static ColumnDefinition of(ByteBuf packet) {
        ByteBuf in = packet.slice(packet.readerIndex() + 4, packet.readableBytes() - 4);
        Packets.readLenencString(in); // catalog, always "def"
        String schema = Packets.readLenencString(in);
        String table = Packets.readLenencString(in);
        String orgTable = Packets.readLenencString(in);
        String name = Packets.readLenencString(in);
        String orgName = Packets.readLenencString(in);
        Packets.readLenenc(in); // length of the fixed fields, 0x0c
        int charset = in.readUnsignedShortLE();
        long length = in.readUnsignedIntLE();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedShortLE();
        int decimals = in.readUnsignedByte();
        return new ColumnDefinition(schema, table, orgTable, name, orgName, charset, length, type, flags, decimals);
    }

    public boolean unsigned() {
        return (flags & UNSIGNED) != 0;
    }

    /** The column's type in the terms masking uses. */
    public ColumnType columnType() {
        ColumnType.Nullability nullability = (flags & NOT_NULL) != 0
                ? ColumnType.Nullability.NOT_NULL : ColumnType.Nullability.NULLABLE;
        ColumnType base = switch (type) {
            case FieldTypes.TINY -> ColumnType.integer(1);
            case FieldTypes.SHORT, FieldTypes.YEAR -> ColumnType.integer(2);
            case FieldTypes.INT24 -> ColumnType.integer(3);
            case FieldTypes.LONG -> ColumnType.integer(4);
            case FieldTypes.LONGLONG -> ColumnType.integer(8);
            case FieldTypes.DECIMAL, FieldTypes.NEWDECIMAL, FieldTypes.FLOAT, FieldTypes.DOUBLE ->
                    ColumnType.of(ColumnType.Family.NUMERIC);
            case FieldTypes.DATE, FieldTypes.NEWDATE -> ColumnType.of(ColumnType.Family.DATE);
            case FieldTypes.DATETIME, FieldTypes.TIMESTAMP, FieldTypes.DATETIME2, FieldTypes.TIMESTAMP2 ->
                    ColumnType.of(ColumnType.Family.TIMESTAMP);
            case FieldTypes.TIME, FieldTypes.TIME2 -> ColumnType.of(ColumnType.Family.TIME);
            case FieldTypes.JSON -> ColumnType.of(ColumnType.Family.JSON);
            case FieldTypes.VARCHAR, FieldTypes.VAR_STRING, FieldTypes.STRING, FieldTypes.ENUM, FieldTypes.SET,
                    FieldTypes.TINY_BLOB, FieldTypes.MEDIUM_BLOB, FieldTypes.LONG_BLOB, FieldTypes.BLOB ->
                    charset == BINARY_CHARSET ? ColumnType.of(ColumnType.Family.BYTEA) : ColumnType.text();
            default -> ColumnType.of(ColumnType.Family.OTHER);
        };
        return base.withNullability(nullability);
    }
}
