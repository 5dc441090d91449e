package dev.parapet.audit;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** ISO-8601 UTC timestamps to the microsecond, as events carry them: {@code 2026-11-25T18:03:07.214529Z}. */
final class Timestamps {

    /** The date and time to the second of the last second formatted, which most events share. */
    private record Second(long epochSecond, String text) {
    }

    private static volatile Second last = new Second(Long.MIN_VALUE, "");

    private Timestamps() {
    }

    static void append(StringBuilder out, Instant time) {
        long second = time.getEpochSecond();
        Second cached = last;
        if (cached.epochSecond() != second) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            String text = String.format("%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                    t.getHour(), t.getMinute(), t.getSecond());
            cached = new Second(second, text);
            last = cached;
        }
        out.append(cached.text());
        int micros = time.getNano() / 1000;
        if (micros != 0) {
            out.append('.');
            String digits = Integer.toString(micros);
            for (int i = digits.length(); i < 6; i++) {
                out.append('0');
            }
            out.append(digits);
        }
        out.append('Z');
    }
}
