package dev.parapet.policy;

import java.util.regex.Pattern;

/**
 * What a client is told when a rule refuses its statement, where the rule's author chose to say
 * something else than the gateway would: the SQLSTATE (an application may branch on it), the
 * reason and the hint. A null part means the default: 42501 (insufficient privilege), the reason
 * the rule found, and a hint to ask for an approval or a rule change.
 */
public record Refusal(String sqlState, String message, String hint) {

    public static final Refusal DEFAULT = new Refusal(null, null, null);

    private static final Pattern SQLSTATE = Pattern.compile("[0-9A-Z]{5}");

    public Refusal {
        if (sqlState != null && problemWithSqlState(sqlState) != null) {
            throw new IllegalArgumentException(problemWithSqlState(sqlState));
        }
    }

    /**
     * Why {@code code} cannot be a refusal's SQLSTATE, or null when it can: five digits or
     * upper-case letters, and not of the success (00), warning (01) or no-data (02) classes, which
     * a client would not take for an error.
     */
    static String problemWithSqlState(String code) {
        if (!SQLSTATE.matcher(code).matches()) {
            return "a SQLSTATE is five digits or upper-case letters, like 42501";
        }
        if (code.startsWith("00") || code.startsWith("01") || code.startsWith("02")) {
            return "SQLSTATE class " + code.substring(0, 2) + " is not an error; use an error class such as 42 or P0";
        }
        return null;
    }
}
