package dev.parapet.postgres.frontend;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the caller's identity in the upstream session's {@code application_name}. The gateway sets
 * it to {@code parapet:<who>:<client's name>} at login; when a client later sets its own name
 * with a plain {@code SET application_name} (pgJDBC does this right after connecting), the
 * statement is rewritten to set {@code parapet:<who>:<that name>} instead. {@code RESET} and
 * {@code DEFAULT} need nothing: they return to the login value, which is the tag. Other ways to
 * change the setting (set_config(), several statements in one string) are for the guardrails to
 * control; this is a convenience for the database's logs, not a security boundary.
 */
final class ApplicationNameTag {

    static final int LIMIT = 63;

    private static final Pattern SET = Pattern.compile(
            "\\A\\s*set\\s+(session\\s+|local\\s+)?application_name\\s*(?:=|\\sto\\s)\\s*"
                    + "(?:'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_$]*))\\s*;?\\s*\\z",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private final String prefix;

    ApplicationNameTag(String who) {
        this.prefix = "parapet:" + who;
    }

    /** The value to send upstream at login for the client's own name (may be null). */
    String atLogin(String clientName) {
        return truncate(clientName == null || clientName.isEmpty() ? prefix : prefix + ":" + clientName);
    }

    /** The statement to run instead of {@code sql}, or null when {@code sql} does not name the application. */
    String rewrite(String sql) {
        if (sql.length() > 512 || !startsWithSet(sql)) {
            return null;
        }
        Matcher m = SET.matcher(sql);
        if (!m.matches()) {
            return null;
        }
        String value = m.group(2) != null ? m.group(2).replace("''", "'") : m.group(3);
        if (m.group(2) == null && "default".equalsIgnoreCase(value)) {
            return null;
        }
        String scope = m.group(1) == null ? "" : m.group(1).trim() + " ";
        return "SET " + scope + "application_name = '" + atLogin(value).replace("'", "''") + "'";
    }

    private static boolean startsWithSet(String sql) {
        int i = 0;
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        return sql.regionMatches(true, i, "set", 0, 3);
    }

    private static String truncate(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= LIMIT) {
            return s;
        }
        int end = LIMIT;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
