package dev.parapet.postgres.frontend;

import java.util.HashMap;
import java.util.Map;

/**
 * The prepared statements of one session, the unnamed one included, and the policy each was
 * checked under. A client may execute a statement it prepared long before (pgJDBC keeps its
 * server-prepared statements for the life of the connection, and any client may bind the unnamed
 * statement again and again after one Parse), so a statement checked under an earlier policy is
 * checked again before it runs; this remembers what that takes.
 *
 * <p>It knows two things about a name: what the database holds under it (changed when the
 * database confirms a Parse or a Close: it refuses a Parse under a name in use, and skips
 * messages after an error), and what a Bind sent now refers to, which is the last Parse or Close
 * sent for that name while it is not answered yet. Confined to the session's event loop.
 */
final class PreparedStatements {

    /**
     * One statement as the client prepared it, and what the database holds under its name. Only
     * the generation changes: when the statement is checked again with the same verdict.
     */
    static final class Statement {

        final String sql;
        final int[] types;
        final boolean denied;
        int generation;

        /**
         * @param sql the client's text; null for a Close on its way
         * @param types the parameter types the client declared (0: left to the server)
         * @param generation the policy generation it was checked under
         * @param denied whether the database holds the refusal under its name instead of the text
         */
        Statement(String sql, int[] types, int generation, boolean denied) {
            this.sql = sql;
            this.types = types;
            this.generation = generation;
            this.denied = denied;
        }

        /** Stands for a Close sent and not answered yet: after it, the name holds nothing. */
        static Statement closing() {
            return new Statement(null, new int[0], -1, false);
        }
    }

    private final Map<String, Statement> held = new HashMap<>();
    private final Map<String, Statement> sent = new HashMap<>();

    /** A Parse (or, with {@link Statement#closing()}, a Close) of {@code name} went to the database. */
    void sent(String name, Statement statement) {
        sent.put(name, statement);
    }

    /** The database took what {@link #sent} sent. */
    void answered(String name, Statement statement) {
        if (statement.sql == null) {
            held.remove(name);
        } else {
            held.put(name, statement);
        }
        skipped(name, statement);
    }

    /** The database skipped (or refused) what {@link #sent} sent: the name holds what it held. */
    void skipped(String name, Statement statement) {
        if (sent.get(name) == statement) {
            sent.remove(name);
        }
    }

    /** What a Bind of {@code name} ("" for the unnamed statement) sent now would run, or null. */
    Statement get(String name) {
        Statement statement = sent.containsKey(name) ? sent.get(name) : held.get(name);
        return statement == null || statement.sql == null ? null : statement;
    }
}
