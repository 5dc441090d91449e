package dev.parapet.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size in bytes, written in the YAML as {@code 65536}, {@code 64KiB}, {@code 16MiB} or {@code 1GB}. */
public record ByteSize(long bytes) {

    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*([kmg]i?b|b)?");

    public static ByteSize ofMebibytes(long mebibytes) {
        return new ByteSize(mebibytes * 1024 * 1024);
    }

    @JsonCreator
    public static ByteSize parse(String text) {
        Matcher m = FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 65536, 64KiB, 16MiB, 1GB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit) {
            case "b" -> 1;
            case "kb" -> 1000;
            case "kib" -> 1024;
            case "mb" -> 1000_000;
            case "mib" -> 1024 * 1024;
            case "gb" -> 1000_000_000;
            case "gib" -> 1024L * 1024 * 1024;
            default -> throw new IllegalArgumentException("unknown size unit in '" + text + "'");
        };
        return new ByteSize(Math.multiplyExact(n, factor));
    }

    public int asInt() {
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }
}
