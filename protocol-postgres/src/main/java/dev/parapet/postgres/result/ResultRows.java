package dev.parapet.postgres.result;

import dev.parapet.postgres.message.RowDescription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Rewriting results: which columns of a row description to hide, and rows without them. */
public final class ResultRows {

    /** No column to remove. Never modified. */
    public static final BitSet NONE = new BitSet();

    private ResultRows() {
    }

    /**
     * The positions of the columns of {@code description} that come from a {@code hidden} column
     * ({@code table.column} or {@code schema.table.column}), given the relations their tables
     * resolve to; null when a column's origin cannot be known (computed, or its table is not
     * found), since then nothing says it is not a hidden one.
     */
    public static BitSet hiddenPositions(RowDescription description, Map<Integer, Catalog.Relation> relations,
            List<String> hidden) {
        BitSet drop = new BitSet();
        List<RowDescription.Field> fields = description.fields();
        for (int i = 0; i < fields.size(); i++) {
            RowDescription.Field field = fields.get(i);
            Catalog.Relation relation = relations.get(field.tableOid());
            if (field.tableOid() == 0 || relation == null) {
                return null;
            }
            Catalog.Column column = relation.columns().get((int) field.attributeNumber());
            if (column == null) {
                return null;
            }
            for (String pattern : hidden) {
                if (covers(pattern, relation.schema(), relation.name(), column.name())) {
                    drop.set(i);
                }
            }
        }
        return drop;
    }

    /** Whether {@code table.column} or {@code schema.table.column} names this column (case aside). */
    static boolean covers(String pattern, String schema, String table, String column) {
        String[] parts = pattern.toLowerCase(Locale.ROOT).split("\\.");
        String lowerColumn = column.toLowerCase(Locale.ROOT);
        String lowerTable = table.toLowerCase(Locale.ROOT);
        return switch (parts.length) {
            case 2 -> parts[0].equals(lowerTable) && parts[1].equals(lowerColumn);
            case 3 -> parts[0].equals(schema.toLowerCase(Locale.ROOT)) && parts[1].equals(lowerTable)
                    && parts[2].equals(lowerColumn);
            default -> false;
        };
    }

    /** The row description without the columns at {@code drop}. */
    public static RowDescription withoutFields(RowDescription description, BitSet drop) {
        List<RowDescription.Field> kept = new ArrayList<>(description.fields().size());
        for (int i = 0; i < description.fields().size(); i++) {
            if (!drop.get(i)) {
                kept.add(description.fields().get(i));
            }
        }
        return new RowDescription(kept);
    }

    /**
     * A copy of the DataRow {@code frame} (tag, length, column count, then each value as length
     * and bytes) without the columns at {@code drop}. Releases {@code frame}.
     */
    public static ByteBuf withoutColumns(ByteBuf frame, BitSet drop, ByteBufAllocator alloc) {
        try {
            int count = frame.getUnsignedShort(5);
            ByteBuf out = alloc.buffer(frame.readableBytes());
            out.writeByte('D').writeInt(0).writeShort(count - drop.cardinality());
            int at = 7;
            for (int i = 0; i < count; i++) {
                int length = frame.getInt(at);
                int size = 4 + Math.max(length, 0);
                if (!drop.get(i)) {
                    out.writeBytes(frame, at, size);
                }
                at += size;
            }
            out.setInt(1, out.writerIndex() - 1);
            return out;
        } finally {
            frame.release();
        }
    }
}
