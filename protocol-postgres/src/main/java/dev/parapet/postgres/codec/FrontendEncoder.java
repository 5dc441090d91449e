package dev.parapet.postgres.codec;

import dev.parapet.postgres.message.Bind;
import dev.parapet.postgres.message.CancelRequest;
import dev.parapet.postgres.message.Close;
import dev.parapet.postgres.message.Describe;
import dev.parapet.postgres.message.Execute;
import dev.parapet.postgres.message.FrontendMessage;
import dev.parapet.postgres.message.FunctionCall;
import dev.parapet.postgres.message.GssEncRequest;
import dev.parapet.postgres.message.HeldBind;
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
        return msg instanceof FrontendMessage && !(msg instanceof Relayed || msg instanceof Query || msg instanceof Parse);
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
            case Bind m -> throw new IllegalArgumentException("binds travel inside the relayed bytes");
            case Execute m -> throw new IllegalArgumentException("executes travel inside the relayed bytes");
            case Describe m -> out.writeByte('D').writeInt(4 + 1 + m.name().getBytes(StandardCharsets.UTF_8).length + 1)
                    .writeByte(m.kind()).writeBytes(m.name().getBytes(StandardCharsets.UTF_8)).writeByte(0);
            case HeldBind m -> throw new IllegalArgumentException("held binds are forwarded as their frames");
            case HeldExecute m -> throw new IllegalArgumentException("held executes are forwarded as their frames");
            case Close m -> throw new IllegalArgumentException("closes travel inside the relayed bytes");
            case FunctionCall m -> throw new IllegalArgumentException("function calls travel inside the relayed bytes");
            case Relayed m -> throw new IllegalArgumentException("relayed bytes are written as they are");
        }
    }
}
