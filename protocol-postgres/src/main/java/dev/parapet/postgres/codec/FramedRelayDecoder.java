package dev.parapet.postgres.codec;

import dev.parapet.postgres.message.Relayed;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a stream of tagged PostgreSQL messages (tag byte, int32 length, body) into what the
 * gateway acts on and what it merely forwards. Runs of messages that need nothing are emitted as
 * one {@link Relayed} slice, without copying; a relayed message larger than what has arrived is
 * forwarded piece by piece, so even a huge row never has to sit whole in memory. A message the
 * gateway observes stays inside the slice (so a whole result usually leaves as one buffer and one
 * write) and is emitted, decoded, after that slice; one it intercepts ends the slice and is
 * emitted as its own typed message, owning its frame.
 */
public abstract class FramedRelayDecoder extends ByteToMessageDecoder {

    /** What the gateway does with a message of a given tag. */
    protected enum Handling {
        /** Forward the bytes; no need to look inside. */
        RELAY,
        /** Forward the bytes, and tell the handler what they said. */
        OBSERVE,
        /** Hand the whole message to the handler, which forwards, rewrites or drops it. */
        INTERCEPT,
        /**
         * Forward the bytes as a message of their own (a {@link #alone} result), then what they
         * said if {@link #observe} has something to say: for a handler that decides message by
         * message whether each goes on.
         */
        ALONE
    }

    private final int maxObservedLength;
    private final int maxRelayedLength;
    private long relayRemaining;

    /**
     * @param maxObservedLength longest message accepted when it must be held whole
     * @param maxRelayedLength longest message accepted at all (relayed ones included)
     */
    protected FramedRelayDecoder(int maxObservedLength, int maxRelayedLength) {
        this.maxObservedLength = maxObservedLength;
        this.maxRelayedLength = maxRelayedLength;
    }

    protected abstract Handling handling(byte tag);

    /**
     * Decodes an observed message; {@code frame} is a view valid only during this call. For a
     * message handled {@link Handling#ALONE}, null means there is nothing to say about it.
     */
    protected abstract Object observe(byte tag, ByteBuf frame);

    /** Decodes an intercepted message; the result owns {@code frame} (or releases it). */
    protected abstract Object intercept(byte tag, ByteBuf frame);

    /** Wraps a message handled {@link Handling#ALONE}; the result owns {@code frame}. */
    protected Object alone(byte tag, ByteBuf frame) {
        throw new IllegalStateException("no message is handled alone here");
    }

    /** For subclasses with an untagged phase (the startup packet): true while it lasts. */
    protected boolean untagged() {
        return false;
    }

    /** Decodes the untagged phase; called instead of the tagged loop while {@link #untagged()}. */
    protected void decodeUntagged(ByteBuf in, List<Object> out) {
        throw new IllegalStateException("no untagged phase");
    }

    /** True while part of a relayed message has been forwarded and the rest is still to come. */
    public boolean insideMessage() {
        return relayRemaining > 0;
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (untagged()) {
            decodeUntagged(in, out);
            return;
        }
        int start = in.readerIndex();
        int end = start;
        List<Object> observed = null;
        int limit = in.writerIndex();
        if (relayRemaining > 0) {
            int n = (int) Math.min(relayRemaining, limit - end);
            end += n;
            relayRemaining -= n;
        }
        while (relayRemaining == 0 && limit - end >= 5 && !untagged()) {
            byte tag = in.getByte(end);
            int length = in.getInt(end + 1);
            if (length < 4) {
                throw new ProtocolException("invalid message length " + length + " for message type '" + printable(tag) + "'");
            }
            Handling handling = handling(tag);
            int max = handling == Handling.RELAY ? maxRelayedLength : maxObservedLength;
            if (length > max) {
                throw new ProtocolException("54000", "message of type '" + printable(tag) + "' is " + length
                        + " bytes, over the gateway's limit of " + max + " bytes");
            }
            long frameLength = length + 1L;
            int available = limit - end;
            if (handling == Handling.RELAY) {
                if (available >= frameLength) {
                    end += (int) frameLength;
                } else {
                    end = limit;
                    relayRemaining = frameLength - available;
                }
                continue;
            }
            if (available < frameLength) {
                break;
            }
            if (handling == Handling.OBSERVE) {
                if (observed == null) {
                    observed = new ArrayList<>(4);
                }
                observed.add(observe(tag, in.slice(end, (int) frameLength)));
                end += (int) frameLength;
            } else if (handling == Handling.ALONE) {
                emit(in, start, end, observed, out);
                observed = null;
                Object seen = observe(tag, in.slice(end, (int) frameLength));
                out.add(alone(tag, in.readRetainedSlice((int) frameLength)));
                if (seen != null) {
                    out.add(seen);
                }
                end += (int) frameLength;
                start = end;
            } else {
                emit(in, start, end, observed, out);
                observed = null;
                ByteBuf frame = in.readRetainedSlice((int) frameLength);
                end += (int) frameLength;
                start = end;
                out.add(intercept(tag, frame));
                if (pauseAfterIntercept()) {
                    // hand it over before reading on: what the handler does with it may change how
                    // the next messages are handled (the decoder is called again for the rest)
                    return;
                }
            }
        }
        emit(in, start, end, observed, out);
    }

    /**
     * Whether to stop after an intercepted message, so that the handler acts on it before the
     * messages behind it are split (default: no).
     */
    protected boolean pauseAfterIntercept() {
        return false;
    }

    /** Emits the relayed bytes [start, end) as one slice, then what was observed inside them. */
    private static void emit(ByteBuf in, int start, int end, List<Object> observed, List<Object> out) {
        if (end > start) {
            out.add(new Relayed(in.readRetainedSlice(end - start)));
        }
        if (observed != null) {
            out.addAll(observed);
        }
    }

    static String printable(byte tag) {
        return tag >= 32 && tag < 127 ? String.valueOf((char) tag) : String.format("0x%02x", tag & 0xff);
    }
}
