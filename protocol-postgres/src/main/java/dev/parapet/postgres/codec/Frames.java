package dev.parapet.postgres.codec;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Reading NUL-terminated strings out of message bodies, with bounds checks that fail as protocol errors. */
final class Frames {

    private Frames() {
    }

    /** The string starting at absolute {@code index}, ending before the next NUL at or before {@code limit}. */
    static String cstring(ByteBuf buf, int index, int limit) {
        int nul = buf.indexOf(index, limit, (byte) 0);
        if (nul < 0) {
            throw new ProtocolException("a string in the message is not terminated");
        }
        return nul == index ? "" : buf.toString(index, nul - index, StandardCharsets.UTF_8);
    }

    /** Index just past the NUL that ends the string starting at {@code index}. */
    static int skipCstring(ByteBuf buf, int index, int limit) {
        int nul = buf.indexOf(index, limit, (byte) 0);
        if (nul < 0) {
            throw new ProtocolException("a string in the message is not terminated");
        }
        return nul + 1;
    }

    static void writeCstring(ByteBuf out, String s) {
        out.writeCharSequence(s, StandardCharsets.UTF_8);
        out.writeByte(0);
    }
}
