package dev.parapet.mysql.frontend;

import dev.parapet.mysql.wire.ColumnDefinition;
import dev.parapet.mysql.wire.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * Removes from a text-protocol result the columns a {@code deny-columns} rule hides (what a
 * {@code SELECT *} would otherwise show): which ones, from the columns' origin ({@code org_table},
 * {@code org_name}), and each row without their cells. A column whose origin is not given or is
 * not one of the tables the statement reads (computed, or a derived table's alias) cannot be told
 * apart from a hidden one: then the result is refused rather than narrowed.
 */
final class ColumnNarrowing {

    private final BitSet drop;
    private final int count;

    private ColumnNarrowing(BitSet drop, int count) {
        this.drop = drop;
        this.count = count;
    }

    /**
     * The narrowing of a result with these columns, or null when a column's origin is unknown
     * ({@code hidden} entries are {@code table.column} or {@code schema.table.column}).
     */
    static ColumnNarrowing of(List<ColumnDefinition> columns, List<String> hidden, java.util.Set<String> baseTables) {
        BitSet drop = new BitSet(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ColumnDefinition column = columns.get(i);
            if (!ClientSession.traced(column, baseTables)) {
                return null;
            }
            for (String pattern : hidden) {
                if (covers(pattern, column)) {
                    drop.set(i);
                }
            }
        }
        return new ColumnNarrowing(drop, columns.size());
    }

    private static boolean covers(String pattern, ColumnDefinition column) {
        String[] parts = pattern.toLowerCase(Locale.ROOT).split("\\.");
        String table = column.orgTable().toLowerCase(Locale.ROOT);
        String name = column.orgName().toLowerCase(Locale.ROOT);
        return switch (parts.length) {
            case 2 -> parts[0].equals(table) && parts[1].equals(name);
            case 3 -> parts[0].equals(column.schema().toLowerCase(Locale.ROOT)) && parts[1].equals(table)
                    && parts[2].equals(name);
            default -> false;
        };
    }

    boolean dropsAny() {
        return !drop.isEmpty();
    }

    boolean dropsAll() {
        return drop.cardinality() == count;
    }

    boolean drops(int column) {
        return drop.get(column);
    }

    int kept() {
        return count - drop.cardinality();
    }

    /** The column-count packet of the narrowed result. */
    ByteBuf countPacket(ByteBufAllocator alloc) {
        ByteBuf packet = Packets.start(alloc, 9);
        Packets.writeLenenc(packet, kept());
        return packet;
    }

    /** A text row without the hidden cells ({@code row} released). */
    ByteBuf apply(ByteBuf row, ByteBufAllocator alloc) {
        try {
            ByteBuf out = Packets.start(alloc, row.readableBytes());
            int at = row.readerIndex() + 4;
            for (int i = 0; i < count; i++) {
                int size = Packets.sizeAt(row, at);
                long length = Packets.lenencAt(row, at);
                int whole = size + (int) Math.max(0, length);
                if (!drop.get(i)) {
                    out.writeBytes(row, at, whole);
                }
                at += whole;
            }
            return out;
        } finally {
            row.release();
        }
    }
}
