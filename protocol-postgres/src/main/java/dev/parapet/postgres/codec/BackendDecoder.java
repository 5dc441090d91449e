package dev.parapet.postgres.codec;

import dev.parapet.postgres.message.Authentication;
import dev.parapet.postgres.message.BackendKeyData;
import dev.parapet.postgres.message.CloseComplete;
import dev.parapet.postgres.message.CommandComplete;
import dev.parapet.postgres.message.DataRow;
import dev.parapet.postgres.message.EmptyQueryResponse;
import dev.parapet.postgres.message.ErrorResponse;
import dev.parapet.postgres.message.NegotiateProtocolVersion;
import dev.parapet.postgres.message.NoData;
import dev.parapet.postgres.message.NotificationResponse;
import dev.parapet.postgres.message.ParameterStatus;
import dev.parapet.postgres.message.PortalSuspended;
import dev.parapet.postgres.message.ParseComplete;
import dev.parapet.postgres.message.ReadyForQuery;
import dev.parapet.postgres.message.Relayed;
import dev.parapet.postgres.message.RelayedMessage;
import dev.parapet.postgres.message.RowDescription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes what the database sends. During the session's startup every message is handed over as
 * its own typed message (authentication, parameters, key data, and the results of what the
 * gateway itself runs before handing the session over), since the gateway answers them itself;
 * after {@link #startRelay}, results are relayed and only ReadyForQuery, CommandComplete and
 * ErrorResponse are observed on the way, and notifications are handed over (to carry the
 * gateway's process id for the session), as are ParseComplete and CloseComplete (to hold back the
 * answers to what the gateway sent itself). While {@link #inspectRows} is on (when something must
 * look at results, as masking does), RowDescription is observed too and each DataRow is handed
 * over on its own. While {@link #messageByMessage} is on (when the rows of a result are limited),
 * every message is handed over on its own: rows as {@link DataRow}s, the rest as
 * {@link RelayedMessage}s followed by what was observed in them.
 */
public final class BackendDecoder extends FramedRelayDecoder {

    /** PostgreSQL never sends a message over 1 GiB. */
    private static final int MAX_LENGTH = 0x40000000;

    private boolean startupPhase = true;
    private boolean inspectRows;
    private boolean messageByMessage;

    public BackendDecoder() {
        super(MAX_LENGTH, Integer.MAX_VALUE);
    }

    @Override
    protected Handling handling(byte tag) {
        if (startupPhase) {
            return Handling.INTERCEPT;
        }
        if (messageByMessage) {
            return switch (tag) {
                case 'D', 'A', '1', '3' -> Handling.INTERCEPT;
                default -> Handling.ALONE;
            };
        }
        return switch (tag) {
            case 'Z', 'C', 'E', 's', 'I', 'n', 'T' -> Handling.OBSERVE;
            case 'D' -> inspectRows ? Handling.INTERCEPT : Handling.RELAY;
            case 'A', '1', '3' -> Handling.INTERCEPT;
            default -> Handling.RELAY;
        };
    }

    @Override
    protected Object observe(byte tag, ByteBuf frame) {
        return switch (tag) {
            case 'Z', 'C', 'E' -> decodeBody(tag, frame);
            case 's' -> PortalSuspended.INSTANCE;
            case 'I' -> EmptyQueryResponse.INSTANCE;
            case 'n' -> NoData.INSTANCE;
            case 'T' -> inspectRows ? decodeBody(tag, frame) : RowDescription.UNREAD;
            default -> null;
        };
    }

    @Override
    protected Object alone(byte tag, ByteBuf frame) {
        return new RelayedMessage(tag, frame);
    }

    @Override
    protected Object intercept(byte tag, ByteBuf frame) {
        if (!startupPhase && tag == 'D') {
            return new DataRow(frame);
        }
        if (!startupPhase && tag == '1') {
            return new ParseComplete(frame);
        }
        if (!startupPhase && tag == '3') {
            return new CloseComplete(frame);
        }
        if (!startupPhase && tag == 'A') {
            if (frame.readableBytes() < 9) {
                frame.release();
                throw new ProtocolException("NotificationResponse is truncated");
            }
            return new NotificationResponse(frame);
        }
        Object message;
        try {
            message = decodeBody(tag, frame);
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
        if (message instanceof Relayed) {
            return message;
        }
        frame.release();
        return message;
    }

    /** The session is handed over to the client: relay from now on. Call on the channel's event loop. */
    public void startRelay() {
        startupPhase = false;
    }

    /** Whether row descriptions are observed and data rows handed over one by one (default: off). */
    public void inspectRows(boolean on) {
        inspectRows = on;
    }

    /**
     * Whether every message is handed over on its own (default: off). Takes effect from the next
     * bytes read; what was already decoded is handed over as it was. Call on the channel's event loop.
     */
    public void messageByMessage(boolean on) {
        messageByMessage = on;
    }

    public boolean messageByMessage() {
        return messageByMessage;
    }

    private static Object decodeBody(byte tag, ByteBuf frame) {
        int end = frame.writerIndex();
        return switch (tag) {
            case 'R' -> new Authentication(frame.getInt(5), ByteBufUtil.getBytes(frame, 9, end - 9));
            case 'S' -> {
                String name = Frames.cstring(frame, 5, end);
                yield new ParameterStatus(name, Frames.cstring(frame, Frames.skipCstring(frame, 5, end), end));
            }
            case 'K' -> new BackendKeyData(frame.getInt(5), frame.getInt(9));
            case 'Z' -> ReadyForQuery.of((char) frame.getByte(5));
            case 'C' -> new CommandComplete(Frames.cstring(frame, 5, end));
            case 'T' -> rowDescription(frame, end);
            case 'E', 'N' -> new ErrorResponse(fields(frame, end), tag == 'N');
            case 'v' -> {
                int count = frame.getInt(9);
                List<String> options = new ArrayList<>();
                int i = 13;
                for (int k = 0; k < count && i < end; k++) {
                    options.add(Frames.cstring(frame, i, end));
                    i = Frames.skipCstring(frame, i, end);
                }
                yield new NegotiateProtocolVersion(frame.getInt(5), options);
            }
            default -> new Relayed(frame);
        };
    }

    private static RowDescription rowDescription(ByteBuf frame, int end) {
        int count = frame.getUnsignedShort(5);
        List<RowDescription.Field> fields = new ArrayList<>(count);
        int i = 7;
        for (int k = 0; k < count; k++) {
            String name = Frames.cstring(frame, i, end);
            i = Frames.skipCstring(frame, i, end);
            if (i + 18 > end) {
                throw new ProtocolException("RowDescription is truncated");
            }
            fields.add(new RowDescription.Field(name, frame.getInt(i), frame.getShort(i + 4), frame.getInt(i + 6),
                    frame.getShort(i + 10), frame.getInt(i + 12), frame.getShort(i + 16)));
            i += 18;
        }
        return new RowDescription(fields);
    }

    static Map<Character, String> fields(ByteBuf frame, int end) {
        Map<Character, String> fields = new LinkedHashMap<>();
        int i = 5;
        while (i < end && frame.getByte(i) != 0) {
            char code = (char) frame.getByte(i);
            String value = Frames.cstring(frame, i + 1, end);
            fields.put(code, value);
            i = Frames.skipCstring(frame, i + 1, end);
        }
        return fields;
    }
}
