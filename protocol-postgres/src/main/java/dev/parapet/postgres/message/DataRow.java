package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * One result row, as its whole frame (tag, length, column count, then each value's length and
 * bytes; length -1 is NULL). Only handed over on its own when something must look inside rows
 * (masking); otherwise rows travel inside {@link Relayed} slices. Owns {@code frame} until
 * forwarded or released.
 */
public record DataRow(ByteBuf frame) implements BackendMessage {

    public int columnCount() {
        return frame.getUnsignedShort(5);
    }
}
