package dev.parapet.postgres.message;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error ('E') or, with {@code notice} set, a notice ('N'): fields keyed by the protocol's
 * one-letter codes (S severity, V severity not localised, C SQLSTATE, M message, D detail, H hint).
 */
public record ErrorResponse(Map<Character, String> fields, boolean notice) implements BackendMessage {

    public ErrorResponse {
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public static ErrorResponse fatal(String sqlState, String message) {
        return of("FATAL", sqlState, message, null);
    }

    public static ErrorResponse error(String sqlState, String message, String hint) {
        return of("ERROR", sqlState, message, hint);
    }

    /** A notice: information for the client, not an error. */
    public static ErrorResponse notice(String sqlState, String message, String hint) {
        return new ErrorResponse(of("NOTICE", sqlState, message, hint).fields(), true);
    }

    public static ErrorResponse of(String severity, String sqlState, String message, String hint) {
        Map<Character, String> f = new LinkedHashMap<>();
        f.put('S', severity);
        f.put('V', severity);
        f.put('C', sqlState);
        f.put('M', message);
        if (hint != null) {
            f.put('H', hint);
        }
        return new ErrorResponse(f, false);
    }

    public String sqlState() {
        return fields.getOrDefault('C', "XX000");
    }

    public String message() {
        return fields.getOrDefault('M', "");
    }

    public String severity() {
        return fields.getOrDefault('V', fields.getOrDefault('S', "ERROR"));
    }
}
