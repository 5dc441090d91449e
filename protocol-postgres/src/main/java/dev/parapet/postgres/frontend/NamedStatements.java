package dev.parapet.postgres.frontend;

import java.util.HashMap;
import java.util.Map;

/**
 * The named prepared statements the database holds for one session and the policy each was
 * checked under. A client may execute a statement it prepared long before (pgJDBC keeps its
 * server-prepared statements for the life of the connection), so a statement checked under an
 * earlier policy is checked again before it runs; this remembers what that takes. It changes when
 * the database confirms a Parse or a Close, not when the client sends one, since the database
 * refuses a Parse under a name in use and skips messages after an error. Confined to the
 * session's event loop.
 */
final class NamedStatements {

    /**
     * One statement as the client prepared it.
     *
     * @param sql the client's text
     * @param types the parameter types the client declared (0: left to the server)
     * @param generation the policy generation it was last checked under
     * @param denied whether the database holds the refusal under its name instead of the text
     */
    record Statement(String sql, int[] types, int generation, boolean denied) {
    }

    private final Map<String, Statement> statements = new HashMap<>();

    void prepared(String name, Statement statement) {
        if (!name.isEmpty()) {
            statements.put(name, statement);
        }
    }

    /** The statement prepared under {@code name}, or null (the unnamed statement is never kept). */
    Statement get(String name) {
        return name.isEmpty() ? null : statements.get(name);
    }

    void closed(String name) {
        statements.remove(name);
    }
}
