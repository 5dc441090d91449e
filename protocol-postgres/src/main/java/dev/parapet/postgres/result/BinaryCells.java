package dev.parapet.postgres.result;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Binary-format values (what pgJDBC asks for with prepared statements) to and from their text
 * form, for the types masking can write back: text-like types, integers, dates, timestamps, UUIDs
 * and JSON. For any other type {@link #toText} answers null, and a masked value of it is sent as
 * NULL.
 */
final class BinaryCells {

    private static final LocalDate EPOCH = LocalDate.of(2000, 1, 1);
    private static final LocalDateTime EPOCH_TIME = EPOCH.atStartOfDay();
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss").optionalStart().appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .optionalEnd().toFormatter();
    private static final DateTimeFormatter TIMESTAMP_TZ = new DateTimeFormatterBuilder().append(TIMESTAMP)
            .appendOffset("+HH:mm", "+00").toFormatter();

    private BinaryCells() {
    }

    /** The text form of a binary value, or null for a type this does not handle. */
    static String toText(int typeOid, ByteBuf frame, int offset, int length) {
        return switch (typeOid) {
            case PgTypes.TEXT, PgTypes.VARCHAR, PgTypes.BPCHAR, PgTypes.NAME, PgTypes.JSON, PgTypes.XML, PgTypes.UNKNOWN ->
                    frame.toString(offset, length, StandardCharsets.UTF_8);
            case PgTypes.JSONB -> length > 0 && frame.getByte(offset) == 1
                    ? frame.toString(offset + 1, length - 1, StandardCharsets.UTF_8) : null;
            case PgTypes.INT2 -> length == 2 ? Short.toString(frame.getShort(offset)) : null;
            case PgTypes.INT4 -> length == 4 ? Integer.toString(frame.getInt(offset)) : null;
            case PgTypes.INT8 -> length == 8 ? Long.toString(frame.getLong(offset)) : null;
            case PgTypes.DATE -> length == 4 ? EPOCH.plusDays(frame.getInt(offset)).toString() : null;
            case PgTypes.TIMESTAMP -> length == 8
                    ? EPOCH_TIME.plus(frame.getLong(offset), ChronoUnit.MICROS).format(TIMESTAMP) : null;
            case PgTypes.TIMESTAMPTZ -> length == 8
                    ? EPOCH_TIME.plus(frame.getLong(offset), ChronoUnit.MICROS).atOffset(ZoneOffset.UTC).format(TIMESTAMP_TZ)
                    : null;
            case PgTypes.UUID -> length == 16 ? new UUID(frame.getLong(offset), frame.getLong(offset + 8)).toString() : null;
            default -> null;
        };
    }

    /** The binary form of {@code text} for the type, or null when it does not parse as one. */
    static byte[] fromText(int typeOid, String text) {
        try {
            return switch (typeOid) {
                case PgTypes.TEXT, PgTypes.VARCHAR, PgTypes.BPCHAR, PgTypes.NAME, PgTypes.JSON, PgTypes.XML, PgTypes.UNKNOWN ->
                        text.getBytes(StandardCharsets.UTF_8);
                case PgTypes.JSONB -> {
                    byte[] body = text.getBytes(StandardCharsets.UTF_8);
                    byte[] out = new byte[body.length + 1];
                    out[0] = 1;
                    System.arraycopy(body, 0, out, 1, body.length);
                    yield out;
                }
                case PgTypes.INT2 -> ByteBuffer.allocate(2).putShort(Short.parseShort(text.trim())).array();
                case PgTypes.INT4 -> ByteBuffer.allocate(4).putInt(Integer.parseInt(text.trim())).array();
                case PgTypes.INT8 -> ByteBuffer.allocate(8).putLong(Long.parseLong(text.trim())).array();
                case PgTypes.DATE -> ByteBuffer.allocate(4)
                        .putInt((int) ChronoUnit.DAYS.between(EPOCH, LocalDate.parse(text.trim()))).array();
                case PgTypes.TIMESTAMP -> ByteBuffer.allocate(8).putLong(ChronoUnit.MICROS.between(EPOCH_TIME,
                        LocalDateTime.parse(text.trim(), TIMESTAMP))).array();
                case PgTypes.TIMESTAMPTZ -> ByteBuffer.allocate(8).putLong(ChronoUnit.MICROS.between(
                        EPOCH_TIME.atOffset(ZoneOffset.UTC), OffsetDateTime.parse(text.trim(), TIMESTAMP_TZ))).array();
                case PgTypes.UUID -> {
                    UUID uuid = UUID.fromString(text.trim());
                    yield ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                            .putLong(uuid.getLeastSignificantBits()).array();
                }
                default -> null;
            };
        } catch (RuntimeException e) {
            return null;
        }
    }
}
