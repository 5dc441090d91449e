package dev.parapet.masking;

import dev.parapet.masking.ColumnType.Family;
import dev.parapet.masking.MaskStrategy.Fixed;
import dev.parapet.masking.MaskStrategy.KeyedHash;
import dev.parapet.masking.MaskStrategy.Nullify;
import dev.parapet.masking.MaskStrategy.Partial;
import dev.parapet.masking.MaskStrategy.Redact;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Whole-value masks that stay valid text for the column's declared type, in the text format both
 * PostgreSQL and MySQL use (ISO dates, decimal integers, canonical UUIDs). Where a type has no
 * masked form that both protocols accept (booleans, {@link Family#OTHER}), or a {@link Fixed}
 * value does not parse as the type, the answer is SQL NULL.
 */
final class TypedMasks {

    static final String NIL_UUID = "00000000-0000-0000-0000-000000000000";
    private static final String EPOCH_DATE = "1900-01-01";
    private static final String MIDNIGHT = "00:00:00";
    private static final Pattern TIMESTAMP_TZ =
            Pattern.compile("(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?)[+-]\\d{2}(?::?\\d{2}){0,2}");

    private TypedMasks() {}

    static MaskedCell mask(byte[] b, int off, int len, ColumnType type, DataClass dataClass, MaskStrategy strategy) {
        if (strategy instanceof Nullify) {
            return type.nullability() == ColumnType.Nullability.NOT_NULL
                    ? mask(b, off, len, type, dataClass, new Redact())
                    : MaskedCell.NULL;
        }
        String value = new String(b, off, len, StandardCharsets.UTF_8);
        if (strategy instanceof Fixed fixed && type.family() != Family.JSON) {
            return fixed(fixed.value(), type);
        }
        return switch (type.family()) {
            case TEXT, CHAR -> replaced(fit(TextMasks.mask(value, dataClass, strategy), type));
            case JSON -> JsonMasks.maskLeaves(b, off, off + len, dataClass, strategy);
            case INTEGER -> replaced(Long.toString(integer(value, dataClass, strategy, maxInteger(type))));
            case NUMERIC -> replaced(Long.toString(integer(value, dataClass, strategy, 999_999_999L)));
            case DATE -> replaced(date(value, dataClass, strategy).toString());
            case TIMESTAMP -> replaced(date(value, dataClass, strategy) + " " + time(value, dataClass, strategy));
            case TIMESTAMP_TZ -> replaced(date(value, dataClass, strategy) + " " + time(value, dataClass, strategy) + "+00");
            case TIME -> replaced(time(value, dataClass, strategy));
            case UUID -> replaced(uuid(value, strategy));
            case INET -> replaced(inet(value, dataClass, strategy));
            case BYTEA -> replaced(strategy instanceof KeyedHash k
                    ? HexFormat.of().formatHex(k.key().digest(b, off, len))
                    : "");
            case BOOLEAN, OTHER -> MaskedCell.NULL;
        };
    }

    /** A fixed value in a non-JSON column (JSON gets it in every leaf instead: see JsonMasks). */
    private static MaskedCell fixed(String value, ColumnType type) {
        return switch (type.family()) {
            case TEXT, CHAR -> replaced(fit(value, type));
            default -> isValid(value, type) ? replaced(value) : MaskedCell.NULL;
        };
    }

    /** Whether {@code value} is valid text for a non-text {@code type}. */
    static boolean isValid(String value, ColumnType type) {
        try {
            return switch (type.family()) {
                case TEXT, CHAR -> type.lengthLimit() == 0 || value.codePointCount(0, value.length()) <= type.lengthLimit();
                case INTEGER -> Math.abs(Long.parseLong(value)) <= maxInteger(type);
                case NUMERIC -> new BigDecimal(value) != null;
                case BOOLEAN -> value.matches("(?i)t|f|true|false|0|1");
                case DATE -> LocalDate.parse(value) != null;
                case TIMESTAMP -> LocalDateTime.parse(value.replace(' ', 'T')) != null;
                case TIMESTAMP_TZ -> TIMESTAMP_TZ.matcher(value).matches()
                        && LocalDateTime.parse(value.substring(0, 19).replace(' ', 'T')) != null;
                case TIME -> LocalTime.parse(value) != null;
                case UUID -> value.length() == 36 && java.util.UUID.fromString(value) != null;
                case JSON -> {
                    byte[] b = value.getBytes(StandardCharsets.UTF_8);
                    yield JsonText.isValid(b, 0, b.length);
                }
                case INET -> IpLiterals.isInet(value);
                case BYTEA -> value.indexOf('\\') < 0;
                case OTHER -> false;
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            return false;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Truncated to the declared length (in characters) and, for char(n), blank-padded to it. */
    static String fit(String value, ColumnType type) {
        int limit = type.lengthLimit();
        if (limit == 0) {
            return value;
        }
        int chars = value.codePointCount(0, value.length());
        if (chars > limit) {
            value = value.substring(0, value.offsetByCodePoints(0, limit));
            chars = limit;
        }
        if (type.family() == Family.CHAR && chars < limit) {
            value = value + " ".repeat(limit - chars);
        }
        return value;
    }

    static long maxInteger(ColumnType type) {
        return (1L << (type.integerBytes() * 8 - 1)) - 1;
    }

    /** A masked integer in {@code [0, max]}: the last four digits, a pseudonym, or 0. Not for Fixed or Nullify. */
    static long integer(String value, DataClass dataClass, MaskStrategy strategy, long max) {
        return switch (strategy) {
            case KeyedHash k -> Pseudonyms.stream(k.key(), value, dataClass).nextLong() % (max + 1);
            case Partial p -> switch (dataClass) {
                case PHONE, CARD_NUMBER, NATIONAL_ID, IBAN -> {
                    long lastFour = lastFourDigits(value);
                    yield lastFour <= max ? lastFour : 0;
                }
                default -> 0;
            };
            default -> 0;
        };
    }

    private static long lastFourDigits(String value) {
        int digits = 0;
        long n = 0;
        long scale = 1;
        for (int i = value.length() - 1; i >= 0 && digits < 4; i--) {
            char c = value.charAt(i);
            if (c >= '0' && c <= '9') {
                n += (c - '0') * scale;
                scale *= 10;
                digits++;
            } else if (c == '.') {
                n = 0; // a fraction: start again on the integer part
                scale = 1;
                digits = 0;
            }
        }
        return n;
    }

    private static LocalDate date(String value, DataClass dataClass, MaskStrategy strategy) {
        return switch (strategy) {
            case KeyedHash k -> Pseudonyms.date(Pseudonyms.stream(k.key(), value, dataClass));
            case Partial p when dataClass == DataClass.BIRTH_DATE -> {
                int year = leadingYear(value);
                yield year > 0 ? LocalDate.of(year, 1, 1) : LocalDate.parse(EPOCH_DATE);
            }
            default -> LocalDate.parse(EPOCH_DATE);
        };
    }

    /** The year an ISO date or timestamp starts with, or 0 (BC dates and MySQL's zero date too). */
    private static int leadingYear(String value) {
        if (value.length() < 5 || value.charAt(4) != '-' || value.endsWith(" BC")) {
            return 0;
        }
        for (int i = 0; i < 4; i++) {
            if (!Character.isDigit(value.charAt(i))) {
                return 0;
            }
        }
        return Integer.parseInt(value.substring(0, 4));
    }

    private static String time(String value, DataClass dataClass, MaskStrategy strategy) {
        if (strategy instanceof KeyedHash k) {
            int seconds = Pseudonyms.stream(k.key(), value, dataClass).next(86_400);
            return String.format("%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
        }
        return MIDNIGHT;
    }

    private static String uuid(String value, MaskStrategy strategy) {
        if (!(strategy instanceof KeyedHash k)) {
            return NIL_UUID;
        }
        byte[] u = Pseudonyms.stream(k.key(), value.toLowerCase(java.util.Locale.ROOT), DataClass.SECRET).bytes(16);
        u[6] = (byte) ((u[6] & 0x0f) | 0x80); // version 8: custom
        u[8] = (byte) ((u[8] & 0x3f) | 0x80); // RFC 4122 variant
        String hex = HexFormat.of().formatHex(u);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }

    private static String inet(String value, DataClass dataClass, MaskStrategy strategy) {
        boolean v6 = value.indexOf(':') >= 0;
        return switch (strategy) {
            case KeyedHash k -> Pseudonyms.address(Pseudonyms.stream(k.key(), value, DataClass.IP_ADDRESS), v6);
            case Partial p when dataClass == DataClass.IP_ADDRESS -> {
                String network = TextMasks.network(value);
                yield network == null ? "0.0.0.0" : network;
            }
            default -> "0.0.0.0";
        };
    }

    private static MaskedCell replaced(String text) {
        return new MaskedCell.Replaced(text.getBytes(StandardCharsets.UTF_8));
    }
}
