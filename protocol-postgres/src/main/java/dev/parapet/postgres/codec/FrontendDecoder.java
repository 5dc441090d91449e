package dev.parapet.postgres.codec;

import dev.parapet.postgres.message.Bind;
import dev.parapet.postgres.message.BoundPortal;
import dev.parapet.postgres.message.CancelRequest;
import dev.parapet.postgres.message.Close;
import dev.parapet.postgres.message.Describe;
import dev.parapet.postgres.message.Execute;
import dev.parapet.postgres.message.FunctionCall;
import dev.parapet.postgres.message.GssEncRequest;
import dev.parapet.postgres.message.HeldExecute;
import dev.parapet.postgres.message.Parse;
import dev.parapet.postgres.message.PasswordMessage;
import dev.parapet.postgres.message.Query;
import dev.parapet.postgres.message.SslRequest;
import dev.parapet.postgres.message.StartupMessage;
import dev.parapet.postgres.message.Sync;
import dev.parapet.postgres.message.Terminate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Decodes what a client sends: first the untagged startup packets (SSLRequest, GSSENCRequest,
 * CancelRequest, StartupMessage), then tagged messages. Statements (Query, Parse, fast-path
 * FunctionCall), Close (and Bind, once asked to), passwords and Terminate are intercepted; Sync is
 * observed; the rest is relayed untouched.
 */
public final class FrontendDecoder extends FramedRelayDecoder {

    /** PostgreSQL's own limit on a startup packet. */
    static final int MAX_STARTUP_LENGTH = 10_000;

    private boolean startupPhase = true;
    private boolean holdExecutes;
    private BooleanSupplier watchBinds;
    public FrontendDecoder(int maxMessageLength) {
        super(maxMessageLength, maxMessageLength);
    }

    /** True when bytes beyond the last decoded message are waiting (e.g. data sent before TLS began). */
    public boolean hasBufferedBytes() {
        return actualReadableBytes() > 0;
    }

    /**
     * Read Bind messages from now on: observed (a {@link BoundPortal}, the bytes stay in the
     * relayed run) while {@code handOver} says no, handed over whole (a {@link Bind}) while it
     * says yes. For a session that prepares statements, which a Bind may execute long after they
     * were checked: the session hands them over once the policy has changed since.
     */
    public void watchBinds(BooleanSupplier handOver) {
        watchBinds = handOver;
    }

    @Override
    protected boolean untagged() {
        return startupPhase;
    }

    @Override
    protected void decodeUntagged(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        if (length < 8 || length > MAX_STARTUP_LENGTH) {
            throw new ProtocolException("invalid startup packet length " + length);
        }
        if (in.readableBytes() < length) {
            return;
        }
        int code = in.getInt(start + 4);
        int end = start + length;
        switch (code) {
            case SslRequest.CODE -> {
                requireLength(length, 8, "SSLRequest");
                out.add(new SslRequest());
            }
            case GssEncRequest.CODE -> {
                requireLength(length, 8, "GSSENCRequest");
                out.add(new GssEncRequest());
            }
            case CancelRequest.CODE -> {
                requireLength(length, 16, "CancelRequest");
                out.add(new CancelRequest(in.getInt(start + 8), in.getInt(start + 12)));
            }
            default -> {
                if (code >>> 16 != 3) {
                    // Another protocol's startup packet (2.0 has fixed-size fields, not name/value
                    // pairs): its layout is not ours to check; the version alone lets the session
                    // refuse it as PostgreSQL does, with "unsupported frontend protocol".
                    startupPhase = false;
                    out.add(new StartupMessage(code >>> 16, code & 0xffff, Map.of()));
                    in.skipBytes(length);
                    return;
                }
                Map<String, String> parameters = new LinkedHashMap<>();
                int i = start + 8;
                while (i < end && in.getByte(i) != 0) {
                    String name = Frames.cstring(in, i, end);
                    i = Frames.skipCstring(in, i, end);
                    if (i >= end) {
                        throw new ProtocolException("startup parameter \"" + name + "\" has no value");
                    }
                    String value = Frames.cstring(in, i, end);
                    i = Frames.skipCstring(in, i, end);
                    parameters.put(name, value);
                }
                if (i != end - 1) {
                    throw new ProtocolException("invalid startup packet layout: expected terminator as last byte");
                }
                startupPhase = false;
                out.add(new StartupMessage(code >>> 16, code & 0xffff, parameters));
            }
        }
        in.skipBytes(length);
    }

    private static void requireLength(int length, int expected, String what) {
        if (length != expected) {
            throw new ProtocolException("invalid " + what + " length " + length);
        }
    }

    /**
     * From now on, Bind and Execute messages are handed over owning their frames (as
     * {@link Bind}s and {@link HeldExecute}s), so that the session can rewrite a Bind or send
     * something before an Execute. Call on the channel's event loop; takes
     * effect from the next message decoded (the decoder hands over each intercepted message
     * before reading on).
     */
    public void holdExecutes(boolean on) {
        holdExecutes = on;
    }

    @Override
    protected boolean pauseAfterIntercept() {
        return true;
    }

    @Override
    protected Handling handling(byte tag) {
        return switch (tag) {
            case 'Q', 'P', 'C', 'F', 'p', 'X' -> Handling.INTERCEPT;
            case 'B' -> holdExecutes || watchBinds != null && watchBinds.getAsBoolean() ? Handling.INTERCEPT
                    : watchBinds != null ? Handling.OBSERVE : Handling.RELAY;
            case 'E' -> holdExecutes ? Handling.INTERCEPT : Handling.OBSERVE;
            case 'S', 'D' -> Handling.OBSERVE;            default -> Handling.RELAY;
        };
    }

    @Override
    protected Object observe(byte tag, ByteBuf frame) {
        int end = frame.writerIndex();
        return switch (tag) {
            case 'B' -> {
                String portal = Frames.cstring(frame, 5, end);
                yield new BoundPortal(portal, Frames.cstring(frame, Frames.skipCstring(frame, 5, end), end));
            }
            case 'E' -> {
                String portal = Frames.cstring(frame, 5, end);
                int at = Frames.skipCstring(frame, 5, end);
                if (at + 4 > end) {
                    throw new ProtocolException("Execute message is truncated");
                }
                yield new Execute(portal, frame.getInt(at));
            }
            case 'D' -> {
                if (end < 7) {
                    throw new ProtocolException("Describe message is truncated");
                }
                yield new Describe((char) frame.getByte(5), Frames.cstring(frame, 6, end));
            }
            default -> Sync.INSTANCE;
        };
    }

    @Override
    protected Object intercept(byte tag, ByteBuf frame) {
        try {
            int end = frame.writerIndex();
            return switch (tag) {
                case 'Q' -> new Query(Frames.cstring(frame, 5, end), frame);
                case 'P' -> {
                    String name = Frames.cstring(frame, 5, end);
                    String sql = Frames.cstring(frame, Frames.skipCstring(frame, 5, end), end);
                    yield new Parse(name, sql, frame);
                }
                case 'E' -> {
                    String portal = Frames.cstring(frame, 5, end);
                    int at = Frames.skipCstring(frame, 5, end);
                    if (at + 4 > end) {
                        throw new ProtocolException("Execute message is truncated");
                    }
                    yield new HeldExecute(portal, frame.getInt(at), frame);
                }
                case 'B' -> {
                    String portal = Frames.cstring(frame, 5, end);
                    yield new Bind(portal, Frames.cstring(frame, Frames.skipCstring(frame, 5, end), end), frame);
                }
                case 'C' -> {
                    if (end < 7) {
                        throw new ProtocolException("Close message is truncated");
                    }
                    yield new Close((char) frame.getByte(5), Frames.cstring(frame, 6, end), frame);
                }
                case 'F' -> new FunctionCall(frame);
                case 'p' -> {
                    PasswordMessage password = new PasswordMessage(ByteBufUtil.getBytes(frame, 5, end - 5));
                    frame.release();
                    yield password;
                }
                default -> {
                    frame.release();
                    yield Terminate.INSTANCE;
                }
            };
        } catch (RuntimeException e) {
            if (frame.refCnt() > 0) {
                frame.release();
            }
            throw e;
        }
    }
}
