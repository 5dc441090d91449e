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
        String name = table.name().toLowerCase(Locale.ROOT);
        String schema = table.qualified() ? table.schema().toLowerCase(Locale.ROOT) : null;
        int dot = pattern.lastIndexOf('.');
        String patternTable = dot < 0 ? pattern : pattern.substring(dot + 1);
        String patternSchema = dot < 0 ? null : pattern.substring(0, dot);
        if (patternTable.equals("*")) {
            return schema != null && schema.equals(patternSchema);
        }
        if (patternTable.equals(name) || table.wildcard()) {
            return patternSchema == null || schema == null || schema.equals(patternSchema);
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
        String name = table.name().toLowerCase(Locale.ROOT);
        String schema = table.qualified() ? table.schema().toLowerCase(Locale.ROOT) : null;
        int dot = pattern.lastIndexOf('.');
        String patternTable = dot < 0 ? pattern : pattern.substring(dot + 1);
        String patternSchema = dot < 0 ? null : pattern.substring(0, dot);
        if (patternTable.equals("*")) {
            return schema != null && schema.equals(patternSchema);
        }
        if (table.wildcard() || !patternTable.equals(name)) {
            return false;
        }
        return patternSchema == null || schema == null || schema.equals(patternSchema);
    }
}
