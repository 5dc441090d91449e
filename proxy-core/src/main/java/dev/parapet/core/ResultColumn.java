package dev.parapet.core;

import dev.parapet.masking.ColumnType;

/**
 * One column of a result as masking sees it, whatever the protocol: where it comes from (schema,
 * table and column of a base relation, or nothing when it is computed or cannot be traced) and
 * its declared type.
 *
 * @param schema the origin's schema, or null when the origin is unknown
 * @param table the origin's table, or null when the origin is unknown
 * @param column the origin's column name, or null when the origin is unknown
 * @param label the name the result gives the column
 * @param type the column's declared type
 */
public record ResultColumn(String schema, String table, String column, String label, ColumnType type) {

    /** A computed column, or one whose origin could not be found. */
    public static ResultColumn untraced(String label, ColumnType type) {
        return new ResultColumn(null, null, null, label, type);
    }

    public boolean traced() {
        return table != null;
    }
}
