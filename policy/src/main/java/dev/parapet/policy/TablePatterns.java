package dev.parapet.policy;

import java.util.List;
import java.util.Locale;

/**
 * Matching the tables a statement names against the patterns of a rule: {@code table},
 * {@code schema.table} or {@code schema.*}, lower-case. Two readings, for the two directions a
 * rule can fail: {@link #covers} (does a deny rule reach this table?) errs towards yes, since an
 * unqualified name could resolve to any schema through the search path; {@link #allows} (does an
 * allow list let it through?) errs towards no.
 */
final class TablePatterns {

    private TablePatterns() {
    }

    static boolean anyCovers(List<String> patterns, TableName table) {
        for (String pattern : patterns) {
            if (covers(pattern, table)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a deny pattern reaches the table: same name (or the table stands for every table
     * of a schema), and the same schema when both name one.
     */
    static boolean covers(String pattern, TableName table) {
        Parts p = new Parts(pattern, table);
        if (p.patternTable.equals("*")) {
            return p.schema != null && p.schema.equals(p.patternSchema);
        }
        if (p.patternTable.equals(p.name) || table.wildcard()) {
            return p.patternSchema == null || p.schema == null || p.schema.equals(p.patternSchema);
        }
        return false;
    }

    static boolean anyAllows(List<String> patterns, TableName table) {
        for (String pattern : patterns) {
            if (allows(pattern, table)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an allow pattern lets the table through: a schema wildcard only for tables
     * qualified with that schema, a whole schema ({@code DROP SCHEMA s}) only by {@code s.*}.
     */
    static boolean allows(String pattern, TableName table) {
        Parts p = new Parts(pattern, table);
        if (p.patternTable.equals("*")) {
            return p.schema != null && p.schema.equals(p.patternSchema);
        }
        if (table.wildcard() || !p.patternTable.equals(p.name)) {
            return false;
        }
        return p.patternSchema == null || p.schema == null || p.schema.equals(p.patternSchema);
    }

    /** A pattern and a table, split into lower-case parts (schemas null when not named). */
    private record Parts(String patternSchema, String patternTable, String schema, String name) {
        Parts(String pattern, TableName table) {
            this(pattern.lastIndexOf('.') < 0 ? null : pattern.substring(0, pattern.lastIndexOf('.')),
                    pattern.substring(pattern.lastIndexOf('.') + 1),
                    table.qualified() ? table.schema().toLowerCase(Locale.ROOT) : null,
                    table.name().toLowerCase(Locale.ROOT));
        }
    }
}
