package dev.parapet.policy;

import java.util.Objects;

/**
 * One column of a base table, as the output lineage and the predicate columns of a
 * {@link StatementInfo} name it. Names are normalised as for {@link TableName} and
 * {@link StatementInfo#columns()}: PostgreSQL lower-cases unquoted identifiers and keeps quoted
 * ones exactly, MySQL keeps the case as written, quotes are removed in both.
 *
 * @param table the table the column belongs to, as the statement named it (an alias resolved to
 *     its table, a CTE or derived table resolved to the base tables behind it)
 * @param column the column name; {@code *} when every column of the table is involved (a
 *     whole-row reference, a column renamed by an alias list, a NATURAL join); only
 *     {@link StatementInfo#predicateColumns()} uses it, {@link OutputColumn} says the same with
 *     {@link OutputColumn#wholeRows()}
 */
public record ColumnRef(TableName table, String column) {

    public ColumnRef {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        if (column.isEmpty()) {
            throw new IllegalArgumentException("a column name cannot be empty");
        }
    }

    /** Whether this stands for every column of its table. */
    public boolean everyColumn() {
        return column.equals("*");
    }

    /** {@code table.column}. */
    @Override
    public String toString() {
        return table + "." + column;
    }
}
