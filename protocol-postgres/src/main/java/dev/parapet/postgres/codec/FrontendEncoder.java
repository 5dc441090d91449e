package dev.parapet.postgres.codec;

import dev.parapet.postgres.message.Bind;
import dev.parapet.postgres.message.BoundPortal;
import dev.parapet.postgres.message.CancelRequest;
import dev.parapet.postgres.message.Close;
import dev.parapet.postgres.message.Describe;
import dev.parapet.postgres.message.Execute;
import dev.parapet.postgres.message.FrontendMessage;
import dev.parapet.postgres.message.FunctionCall;
import dev.parapet.postgres.message.GssEncRequest;
import dev.parapet.postgres.message.HeldExecute;
import dev.parapet.postgres.message.Parse;
import dev.parapet.postgres.message.PasswordMessage;
import dev.parapet.postgres.message.Query;
import dev.parapet.postgres.message.Relayed;
import dev.parapet.postgres.message.SslRequest;
import dev.parapet.postgres.message.StartupMessage;
import dev.parapet.postgres.message.Sync;
import dev.parapet.postgres.message.Terminate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the messages the gateway itself sends to a database (as its client): startup, TLS and
 * cancel requests, authentication responses, Sync and Terminate. Statements received from a
 * client are forwarded as their original frames, not re-encoded.
 */
@ChannelHandler.Sharable
public final class FrontendEncoder extends MessageToByteEncoder<FrontendMessage> {

    public static final FrontendEncoder INSTANCE = new FrontendEncoder();
    private static final int BYTEA_OID = 17;

    @Override
    public boolean acceptOutboundMessage(Object msg) throws Exception {
        return msg instanceof FrontendMessage
                && !(msg instanceof Relayed || msg instanceof Query || msg instanceof Parse || msg instanceof Bind
                        || msg instanceof Close || msg instanceof FunctionCall);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, FrontendMessage message, ByteBuf out) {
        encode(message, out);
    }

    /** A Query message frame for a statement the gateway itself runs (such as SET ROLE). */
    public static ByteBuf query(ByteBufAllocator alloc, String sql) {
        ByteBuf out = alloc.buffer(sql.length() + 6);
        out.writeByte('Q');
        int at = out.writerIndex();
        out.writeInt(0);
        Frames.writeCstring(out, sql);
        out.setInt(at, out.writerIndex() - at);
        return out;
    }

    /**
     * The frame of {@code parse} with its statement text replaced by {@code sql}: same statement
     * name, same parameter types. Does not release the original frame.
     */
    public static ByteBuf parse(ByteBufAllocator alloc, Parse parse, String sql) {
        return parse(alloc, parse, sql, false);
    }

    /**
     * As {@link #parse(ByteBufAllocator, Parse, String)}; with {@code typeUnspecified} set,
     * parameters the client left untyped (OID 0) are declared bytea, for replacement statements
     * that do not use their parameters (the server cannot infer a type for an unused one, and
     * bytea accepts whatever the client binds).
     */
    public static ByteBuf parse(ByteBufAllocator alloc, Parse parse, String sql, boolean typeUnspecified) {
        ByteBuf original = parse.frame();
        int end = original.writerIndex();
        int rest = Frames.skipCstring(original, Frames.skipCstring(original, 5, end), end);
        ByteBuf out = alloc.buffer(sql.length() + parse.name().length() + (end - rest) + 8);
        out.writeByte('P');
        int at = out.writerIndex();
        out.writeInt(0);
        Frames.writeCstring(out, parse.name());
        Frames.writeCstring(out, sql);
        int types = out.writerIndex();
        out.writeBytes(original, rest, end - rest);
        if (typeUnspecified && end - rest >= 2) {
            int count = out.getUnsignedShort(types);
            for (int i = 0; i < count && types + 2 + 4 * i + 4 <= out.writerIndex(); i++) {
                int at2 = types + 2 + 4 * i;
                if (out.getInt(at2) == 0) {
                    out.setInt(at2, BYTEA_OID);
                }
            }
        }
        out.setInt(at, out.writerIndex() - at);
        return out;
    }

    /** The parameter types {@code parse} declares (0: left to the server). */
    public static int[] parameterTypes(Parse parse) {
        ByteBuf frame = parse.frame();
        int end = frame.writerIndex();
        int at = Frames.skipCstring(frame, Frames.skipCstring(frame, 5, end), end);
        if (end - at < 2) {
            return new int[0];
        }
        int[] types = new int[Math.min(frame.getUnsignedShort(at), (end - at - 2) / 4)];
        for (int i = 0; i < types.length; i++) {
            types[i] = frame.getInt(at + 2 + 4 * i);
        }
        return types;
    }

    /**
     * A Parse of {@code sql} as statement {@code name} declaring {@code types}; with
     * {@code typeUnspecified}, untyped parameters are declared bytea as in
     * {@link #parse(ByteBufAllocator, Parse, String, boolean)}.
     */
    public static ByteBuf parse(ByteBufAllocator alloc, String name, String sql, int[] types, boolean typeUnspecified) {
        ByteBuf out = alloc.buffer(sql.length() + name.length() + 4 * types.length + 10);
        out.writeByte('P');
        int at = out.writerIndex();
        out.writeInt(0);
        Frames.writeCstring(out, name);
        Frames.writeCstring(out, sql);
        out.writeShort(types.length);
        for (int type : types) {
            out.writeInt(typeUnspecified && type == 0 ? BYTEA_OID : type);
        }
        out.setInt(at, out.writerIndex() - at);
        return out;
    }

    /** A Close of prepared statement {@code name}. */
    public static ByteBuf closeStatement(ByteBufAllocator alloc, String name) {
        ByteBuf out = alloc.buffer(name.length() + 7);
        out.writeByte('C');
        int at = out.writerIndex();
        out.writeInt(0);
        out.writeByte('S');
        Frames.writeCstring(out, name);
        out.setInt(at, out.writerIndex() - at);
        return out;
    }

    /**
     * The frame of {@code bind} asking for no result formats, for a statement the gateway put in
     * place of the client's that returns no columns (the server refuses formats for columns a
     * statement does not have). Does not release the original frame.
     */
    public static ByteBuf bindWithoutResultFormats(ByteBufAllocator alloc, Bind bind) {
        ByteBuf original = bind.frame();
        int end = original.writerIndex();
        int p = Frames.skipCstring(original, Frames.skipCstring(original, 5, end), end);
        p = skip(p, 2, end);
        p = skip(p, 2 * original.getUnsignedShort(p - 2), end);
        p = skip(p, 2, end);
        int values = original.getUnsignedShort(p - 2);
        for (int i = 0; i < values; i++) {
            p = skip(p, 4, end);
            p = skip(p, Math.max(original.getInt(p - 4), 0), end);
        }
        skip(p, 2, end); // the result format count, replaced below
        ByteBuf out = alloc.buffer(p + 2);
        out.writeBytes(original, 0, p);
        out.writeShort(0);
        out.setInt(1, out.writerIndex() - 1);
        return out;
    }

    /** {@code at + length}, when the message holds that many more bytes. */
    private static int skip(int at, int length, int end) {
        if (length > end - at) {
            throw new ProtocolException("Bind message is truncated");
        }
        return at + length;
    }

    public static void encode(FrontendMessage message, ByteBuf out) {
        switch (message) {
            case StartupMessage m -> {
                int at = out.writerIndex();
                out.writeInt(0).writeInt((m.majorVersion() << 16) | m.minorVersion());
                m.parameters().forEach((name, value) -> {
                    Frames.writeCstring(out, name);
                    Frames.writeCstring(out, value);
                });
                out.writeByte(0);
                out.setInt(at, out.writerIndex() - at);
            }
            case SslRequest m -> out.writeInt(8).writeInt(SslRequest.CODE);
            case GssEncRequest m -> out.writeInt(8).writeInt(GssEncRequest.CODE);
            case CancelRequest m -> out.writeInt(16).writeInt(CancelRequest.CODE).writeInt(m.processId()).writeInt(m.secretKey());
            case PasswordMessage m -> out.writeByte('p').writeInt(4 + m.payload().length).writeBytes(m.payload());
            case Sync m -> out.writeByte('S').writeInt(4);
            case Terminate m -> out.writeByte('X').writeInt(4);
            case Query m -> throw new IllegalArgumentException("queries are forwarded as their frames");
            case Parse m -> throw new IllegalArgumentException("parses are forwarded as their frames");
            case Bind m -> throw new IllegalArgumentException("binds are forwarded as their frames");
            case BoundPortal m -> throw new IllegalArgumentException("observed binds travel inside the relayed bytes");
            case Execute m -> throw new IllegalArgumentException("executes travel inside the relayed bytes");
            case Describe m -> out.writeByte('D').writeInt(4 + 1 + m.name().getBytes(StandardCharsets.UTF_8).length + 1)
                    .writeByte(m.kind()).writeBytes(m.name().getBytes(StandardCharsets.UTF_8)).writeByte(0);
            case HeldExecute m -> throw new IllegalArgumentException("held executes are forwarded as their frames");
            case Close m -> throw new IllegalArgumentException("closes are forwarded as their frames");
            case FunctionCall m -> throw new IllegalArgumentException("function calls are forwarded as their frames");
            case Relayed m -> throw new IllegalArgumentException("relayed bytes are written as they are");
        }
    }
}
