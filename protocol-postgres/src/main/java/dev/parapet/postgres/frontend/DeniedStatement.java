package dev.parapet.postgres.frontend;

/**
 * What goes to the database instead of a statement the policy refused: a DO block that raises the
 * refusal as an error. The refused statement never reaches the database, and the database itself
 * answers in order with the rest of the session's traffic: the client gets an ErrorResponse with
 * the rule's SQLSTATE, message and hint; an open transaction is left failed, and in the extended
 * protocol the server skips to the next Sync, exactly as for any other error.
 */
final class DeniedStatement {

    private static final String TAG = "$parapet_denied$";

    private DeniedStatement() {
    }

    static String sql(String sqlState, String message, String hint) {
        return "DO " + TAG + " BEGIN RAISE EXCEPTION USING ERRCODE = '" + literal(sqlState) + "', MESSAGE = '"
                + literal(message) + "', HINT = '" + literal(hint) + "'; END " + TAG;
    }

    static boolean is(String sql) {
        return sql.startsWith("DO " + TAG);
    }

    private static String literal(String text) {
        return text.replace("$", "").replace("'", "''");
    }
}
