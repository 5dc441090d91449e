package dev.parapet.mysql.frontend;

import dev.parapet.core.StatementGate;
import java.util.HashMap;
import java.util.Map;

/**
 * The session's prepared statements by the database's statement id: the text and the judgement
 * they were prepared under (with the policy generation, to judge them again after a reload), and
 * the shape of their last result, which a cursor's fetches need.
 */
final class PreparedStatements {

    static final class Statement {
        final String sql;
        StatementGate.Judgement judgement;
        int generation;
        int params;
        /** The masking of the open cursor's rows, from the execute that opened it. */
        RowMasking cursorRows;
        /** Rows of the open cursor sent so far, counted against a row limit across fetches. */
        long cursorRowsSent;

        Statement(String sql, StatementGate.Judgement judgement, int generation) {
            this.sql = sql;
            this.judgement = judgement;
            this.generation = generation;
        }
    }

    private final Map<Long, Statement> byId = new HashMap<>();

    void add(long id, Statement statement) {
        byId.put(id, statement);
    }

    Statement get(long id) {
        return byId.get(id);
    }

    void remove(long id) {
        byId.remove(id);
    }

    void clear() {
        byId.clear();
    }

    int size() {
        return byId.size();
    }
}
