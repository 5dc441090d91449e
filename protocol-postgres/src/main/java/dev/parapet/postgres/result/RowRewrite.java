package dev.parapet.postgres.result;

import dev.parapet.core.MaskPlan;
import dev.parapet.masking.CellMasker;
import dev.parapet.masking.MaskAction;
import dev.parapet.masking.MaskedCell;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.BitSet;

/**
 * How the rows of one result are rewritten before they reach the client: which columns are
 * removed, and how each remaining one is masked (its {@link MaskPlan}, with the type and format
 * of each column as the database sends it). A row with nothing to change leaves as the buffer it
 * came in.
 */
public final class RowRewrite {

    private final BitSet drop;
    private final MaskPlan plan;
    private final int[] typeOids;
    private final short[] formats;

    /**
     * @param drop positions (in the database's row) of the columns removed
     * @param plan the masking of the columns that remain, in order
     * @param typeOids the type of each remaining column
     * @param formats the format of each remaining column (0 text, 1 binary)
     */
    public RowRewrite(BitSet drop, MaskPlan plan, int[] typeOids, short[] formats) {
        this.drop = drop;
        this.plan = plan;
        this.typeOids = typeOids.clone();
        this.formats = formats.clone();
    }

    public MaskPlan plan() {
        return plan;
    }

    /**
     * The DataRow {@code frame} as the client gets it: the same buffer when nothing changes, else
     * a new one (and {@code frame} is released).
     */
    public ByteBuf apply(ByteBuf frame, CellMasker masker, ByteBufAllocator alloc) {
        int count = frame.getUnsignedShort(5);
        byte[][] replaced = null;
        boolean[] nulled = null;
        int at = 7;
        int kept = 0;
        // the cells are read from one array: the frame's own, or one copy of the row
        byte[] row = null;
        int rowOffset = 0;
        for (int i = 0; i < count; i++) {
            int length = frame.getInt(at);
            if (drop.get(i)) {
                at += 4 + Math.max(length, 0);
                continue;
            }
            MaskAction action = kept < plan.actions().size() ? plan.actions().get(kept) : null;
            if (action != null && length >= 0) {
                if (row == null) {
                    if (frame.hasArray()) {
                        row = frame.array();
                        rowOffset = frame.arrayOffset();
                    } else {
                        row = ByteBufUtil.getBytes(frame, 0, frame.writerIndex(), false);
                    }
                }
                MaskedCell masked = mask(frame, row, rowOffset + at + 4, at + 4, length, kept, action, masker);
                if (masked != MaskedCell.UNCHANGED) {
                    if (replaced == null) {
                        replaced = new byte[count][];
                        nulled = new boolean[count];
                    }
                    switch (masked) {
                        case MaskedCell.Replaced r -> replaced[i] = r.utf8();
                        default -> nulled[i] = true;
                    }
                }
            }
            kept++;
            at += 4 + Math.max(length, 0);
        }
        if (replaced == null && drop.isEmpty()) {
            return frame;
        }
        try {
            ByteBuf out = alloc.buffer(frame.readableBytes() + 64);
            out.writeByte('D').writeInt(0).writeShort(count - drop.cardinality());
            at = 7;
            for (int i = 0; i < count; i++) {
                int length = frame.getInt(at);
                int size = 4 + Math.max(length, 0);
                if (!drop.get(i)) {
                    if (replaced != null && nulled[i]) {
                        out.writeInt(-1);
                    } else if (replaced != null && replaced[i] != null) {
                        out.writeInt(replaced[i].length).writeBytes(replaced[i]);
                    } else {
                        out.writeBytes(frame, at, size);
                    }
                }
                at += size;
            }
            out.setInt(1, out.writerIndex() - 1);
            return out;
        } finally {
            frame.release();
        }
    }

    /** One cell: at {@code rowAt} in {@code row} (the row's bytes), at {@code offset} in {@code frame}. */
    private MaskedCell mask(ByteBuf frame, byte[] row, int rowAt, int offset, int length, int column, MaskAction action,
            CellMasker masker) {
        if (formats[column] == 0) {
            return masker.mask(row, rowAt, length, plan.types().get(column), action);
        }
        // binary: through the text form where the type has one the gateway can write back
        String text = BinaryCells.toText(typeOids[column], frame, offset, length);
        if (text == null) {
            return MaskedCell.NULL;
        }
        byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MaskedCell masked = masker.mask(utf8, 0, utf8.length, plan.types().get(column), action);
        if (masked instanceof MaskedCell.Replaced r) {
            byte[] binary = BinaryCells.fromText(typeOids[column], new String(r.utf8(), java.nio.charset.StandardCharsets.UTF_8));
            return binary == null ? MaskedCell.NULL : new MaskedCell.Replaced(binary);
        }
        return masked;
    }
}
