package dev.parapet.postgres.codec;

import dev.parapet.postgres.message.Parse;
import dev.parapet.postgres.message.Query;
import dev.parapet.postgres.message.Relayed;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Byte fixtures for the codec tests, written from the protocol documentation ("Message Formats"
 * in the PostgreSQL manual): a tag byte, an Int32 length that counts itself but not the tag, and
 * the body; untagged startup packets are an Int32 length followed by an Int32 code. Also the
 * bookkeeping that lets a test prove every buffer it saw was released.
 */
final class Wire {

    /**
     * Unpooled, so a released buffer stays released (a pooled one may be recycled and show a
     * refCnt again), and leak-aware for heap buffers too, which Netty's own unpooled heap buffers
     * are not: every buffer a test or a codec allocates is seen by the leak detector.
     */
    static final ByteBufAllocator ALLOC = new AbstractByteBufAllocator(false) {
        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return toLeakAwareBuffer(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return toLeakAwareBuffer(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    };

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A channel for codec tests, allocating from {@link #ALLOC}. */
    static EmbeddedChannel channel(ChannelHandler... handlers) {
        EmbeddedChannel channel = new EmbeddedChannel(handlers);
        channel.config().setAllocator(ALLOC);
        return channel;
    }

    static Wire bytes() {
        return new Wire();
    }

    Wire int8(int v) {
        out.write(v);
        return this;
    }

    Wire int16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    Wire int32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    Wire cstring(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        return this;
    }

    Wire raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** Appends a whole tagged message: tag, Int32 length (body + 4), body. */
    Wire message(char tag, Wire body) {
        byte[] b = body.toArray();
        int8(tag);
        int32(b.length + 4);
        return raw(b);
    }

    byte[] toArray() {
        return out.toByteArray();
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /**
     * Feeds a channel and remembers every buffer that went in or came out, so that
     * {@link #assertAllReleased} can check the decoder kept no reference to any of them.
     */
    static final class Tracker {
        private final List<ByteBuf> seen = new ArrayList<>();

        ByteBuf track(ByteBuf buf) {
            seen.add(buf);
            if (buf.unwrap() != null) {
                seen.add(buf.unwrap());
            }
            return buf;
        }

        /** Writes {@code bytes} as one read and returns what the decoder emitted for it. */
        List<Object> feed(EmbeddedChannel channel, byte[] bytes) {
            ByteBuf in = track(ALLOC.buffer(bytes.length).writeBytes(bytes));
            channel.writeInbound(in);
            return drain(channel);
        }

        List<Object> drain(EmbeddedChannel channel) {
            List<Object> messages = new ArrayList<>();
            Object m;
            while ((m = channel.readInbound()) != null) {
                ByteBuf owned = owned(m);
                if (owned != null) {
                    track(owned);
                }
                messages.add(m);
            }
            return messages;
        }

        /** Asserts that every buffer fed in or emitted (and the buffer each slice views) is released. */
        void assertAllReleased() {
            for (ByteBuf buf : seen) {
                org.assertj.core.api.Assertions.assertThat(buf.refCnt())
                        .as("refCnt of %s", buf.getClass().getSimpleName()).isZero();
            }
        }
    }

    /** The buffer a decoded message owns, if any. */
    static ByteBuf owned(Object message) {
        return switch (message) {
            case Relayed r -> r.bytes();
            case Query q -> q.frame();
            case Parse p -> p.frame();
            case dev.parapet.postgres.message.Bind b -> b.frame();
            case dev.parapet.postgres.message.Close c -> c.frame();
            case dev.parapet.postgres.message.FunctionCall f -> f.frame();
            case dev.parapet.postgres.message.ParseComplete c -> c.frame();
            case dev.parapet.postgres.message.CloseComplete c -> c.frame();
            case dev.parapet.postgres.message.DataRow d -> d.frame();
            case dev.parapet.postgres.message.HeldExecute h -> h.frame();
            case dev.parapet.postgres.message.RelayedMessage r -> r.frame();
            case ByteBuf b -> b;
            default -> null;
        };
    }

    /** The bytes a decoded message owns (without releasing them). */
    static byte[] content(Object message) {
        return ByteBufUtil.getBytes(owned(message));
    }

    static void releaseAll(List<Object> messages) {
        for (Object m : messages) {
            ByteBuf b = owned(m);
            if (b != null) {
                b.release();
            } else {
                ReferenceCountUtil.release(m);
            }
        }
    }
}
