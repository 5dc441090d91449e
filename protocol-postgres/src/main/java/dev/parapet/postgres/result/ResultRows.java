package dev.parapet.postgres.result;

import dev.parapet.core.MaskPlan;
import dev.parapet.core.MaskPlanner;
import dev.parapet.core.ResultColumn;
import dev.parapet.masking.ColumnType;
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

    /**
     * What becomes of a result: the positions of the columns removed, and how its rows are
     * rewritten (null when they go through as they are).
     */
    public record Shape(BitSet drop, RowRewrite rewrite) {
    }

    /**
     * The shape of the result {@code description} describes, given the relations its tables
     * resolve to; null when columns must be hidden and one's origin cannot be known.
     */
    public static Shape shape(RowDescription description, Map<Integer, Catalog.Relation> relations, List<String> hidden,
            MaskPlanner.StatementMasking masking, MaskPlanner planner) {
        BitSet drop = hidden.isEmpty() ? NONE : hiddenPositions(description, relations, hidden);
        if (drop == null) {
            return null;
        }
        if (masking == null) {
            return new Shape(drop, drop.isEmpty() ? null
                    : new RowRewrite(drop, new MaskPlan(java.util.Collections.nCopies(description.fields().size() - drop.cardinality(), null),
                            List.of(), List.of()), new int[0], new short[0]));
        }
        List<ResultColumn> columns = new ArrayList<>();
        List<RowDescription.Field> fields = description.fields();
        int kept = fields.size() - drop.cardinality();
        int[] types = new int[kept];
        short[] formats = new short[kept];
        int k = 0;
        for (int i = 0; i < fields.size(); i++) {
            if (drop.get(i)) {
                continue;
            }
            RowDescription.Field field = fields.get(i);
            ColumnType type = PgTypes.columnType(field.typeOid(), field.typeModifier());
            Catalog.Relation relation = field.tableOid() == 0 ? null : relations.get(field.tableOid());
            Catalog.Column column = relation == null ? null : relation.columns().get((int) field.attributeNumber());
            columns.add(column == null ? ResultColumn.untraced(field.name(), type)
                    : new ResultColumn(relation.schema(), relation.name(), column.name(), field.name(), type));
            types[k] = field.typeOid();
            formats[k] = field.format();
            k++;
        }
        MaskPlan plan = planner.plan(masking, columns);
        if (plan.masksNothing() && drop.isEmpty()) {
            return new Shape(drop, null);
        }
        return new Shape(drop, new RowRewrite(drop, plan, types, formats));
    }

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
     * The Bind {@code frame} with its result formats widened to the columns the database returns:
     * the client names one format per column it sees, and the columns at {@code drop} (which it
     * does not see) get text. A Bind naming no format or one for all columns is returned as it is.
     * Releases {@code frame} when it returns a new buffer.
     */
    public static ByteBuf bindForAllColumns(ByteBuf frame, BitSet drop, ByteBufAllocator alloc) {
        int end = frame.writerIndex();
        int at = skipString(frame, skipString(frame, 5, end), end);
        int paramFormats = frame.getUnsignedShort(at);
        at += 2 + 2 * paramFormats;
        int params = frame.getUnsignedShort(at);
        at += 2;
        for (int i = 0; i < params; i++) {
            int length = frame.getInt(at);
            at += 4 + Math.max(length, 0);
        }
        int formatsAt = at;
        int formats = frame.getUnsignedShort(formatsAt);
        if (formats <= 1) {
            return frame;
        }
        int total = formats + drop.cardinality();
        ByteBuf out = alloc.buffer(formatsAt + 2 + 2 * total);
        out.writeBytes(frame, 0, formatsAt);
        out.writeShort(total);
        int next = formatsAt + 2;
        for (int i = 0; i < total; i++) {
            if (drop.get(i) || next >= end) {
                out.writeShort(0);
            } else {
                out.writeShort(frame.getShort(next));
                next += 2;
            }
        }
        out.setInt(1, out.writerIndex() - 1);
        frame.release();
        return out;
    }

    private static int skipString(ByteBuf frame, int from, int end) {
        int nul = frame.indexOf(from, end, (byte) 0);
        if (nul < 0) {
            throw new IllegalArgumentException("a string in the Bind message is not terminated");
        }
        return nul + 1;
    }
}
