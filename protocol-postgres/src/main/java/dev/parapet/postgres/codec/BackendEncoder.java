package dev.parapet.postgres.codec;

import dev.parapet.postgres.message.Authentication;
import dev.parapet.postgres.message.BackendKeyData;
import dev.parapet.postgres.message.BackendMessage;
import dev.parapet.postgres.message.CloseComplete;
import dev.parapet.postgres.message.CommandComplete;
import dev.parapet.postgres.message.DataRow;
import dev.parapet.postgres.message.EmptyQueryResponse;
import dev.parapet.postgres.message.ErrorResponse;
import dev.parapet.postgres.message.NegotiateProtocolVersion;
import dev.parapet.postgres.message.NoData;
import dev.parapet.postgres.message.NotificationResponse;
import dev.parapet.postgres.message.ParameterStatus;
import dev.parapet.postgres.message.ParseComplete;
import dev.parapet.postgres.message.ReadyForQuery;
import dev.parapet.postgres.message.PortalSuspended;
import dev.parapet.postgres.message.Relayed;
import dev.parapet.postgres.message.RelayedMessage;
import dev.parapet.postgres.message.RowDescription;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Encodes the messages the gateway itself sends to a client. Relayed bytes never come here: they
 * are written to the channel as the buffers they are.
 */
@ChannelHandler.Sharable
public final class BackendEncoder extends MessageToByteEncoder<BackendMessage> {

    public static final BackendEncoder INSTANCE = new BackendEncoder();

    @Override
    public boolean acceptOutboundMessage(Object msg) throws Exception {
        return msg instanceof BackendMessage
                && !(msg instanceof Relayed || msg instanceof RelayedMessage || msg instanceof DataRow
                        || msg instanceof NotificationResponse || msg instanceof ParseComplete || msg instanceof CloseComplete);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, BackendMessage message, ByteBuf out) {
        encode(message, out);
    }

    /** Appends the message's wire form to {@code out}. */
    public static void encode(BackendMessage message, ByteBuf out) {
        switch (message) {
            case Authentication m -> {
                out.writeByte('R').writeInt(8 + m.data().length).writeInt(m.type()).writeBytes(m.data());
            }
            case ParameterStatus m -> {
                int at = begin(out, 'S');
                Frames.writeCstring(out, m.name());
                Frames.writeCstring(out, m.value());
                end(out, at);
            }
            case BackendKeyData m -> out.writeByte('K').writeInt(12).writeInt(m.processId()).writeInt(m.secretKey());
            case ReadyForQuery m -> out.writeByte('Z').writeInt(5).writeByte(m.status());
            case CommandComplete m -> {
                int at = begin(out, 'C');
                Frames.writeCstring(out, m.tag());
                end(out, at);
            }
            case ErrorResponse m -> {
                int at = begin(out, m.notice() ? 'N' : 'E');
                m.fields().forEach((code, value) -> {
                    out.writeByte(code);
                    Frames.writeCstring(out, value);
                });
                out.writeByte(0);
                end(out, at);
            }
            case NegotiateProtocolVersion m -> {
                int at = begin(out, 'v');
                out.writeInt(m.newestMinorVersion()).writeInt(m.unrecognizedOptions().size());
                m.unrecognizedOptions().forEach(option -> Frames.writeCstring(out, option));
                end(out, at);
            }
            case RowDescription m -> {
                int at = begin(out, 'T');
                out.writeShort(m.fields().size());
                for (RowDescription.Field f : m.fields()) {
                    Frames.writeCstring(out, f.name());
                    out.writeInt(f.tableOid()).writeShort(f.attributeNumber()).writeInt(f.typeOid())
                            .writeShort(f.typeSize()).writeInt(f.typeModifier()).writeShort(f.format());
                }
                end(out, at);
            }
            case DataRow m -> throw new IllegalArgumentException("data rows are written as their frames");
            case NotificationResponse m -> throw new IllegalArgumentException("notifications are written as their frames");
            case PortalSuspended m -> out.writeByte('s').writeInt(4);
            case EmptyQueryResponse m -> out.writeByte('I').writeInt(4);
            case NoData m -> out.writeByte('n').writeInt(4);
            case Relayed m -> throw new IllegalArgumentException("relayed bytes are written as they are");
            case RelayedMessage m -> throw new IllegalArgumentException("relayed bytes are written as they are");
            case ParseComplete m -> throw new IllegalArgumentException("ParseComplete is written as its frame");
            case CloseComplete m -> throw new IllegalArgumentException("CloseComplete is written as its frame");
        }
    }

    private static int begin(ByteBuf out, char tag) {
        out.writeByte(tag);
        int at = out.writerIndex();
        out.writeInt(0);
        return at;
    }

    private static void end(ByteBuf out, int lengthAt) {
        out.setInt(lengthAt, out.writerIndex() - lengthAt);
    }
}
