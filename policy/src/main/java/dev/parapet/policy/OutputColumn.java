package dev.parapet.policy;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One column of the rows a statement returns, and what its values are derived from: the lineage
 * the gateway needs to mask a result column that the wire protocol does not trace to a table
 * (PostgreSQL describes an expression with table OID 0). It errs towards "derived from more":
 * a column listed in {@link #sources()} may in fact not contribute, but a column that does
 * contribute is never left out, except through a function the analysis does not know
 * ({@link Kind#UNKNOWN}).
 *
 * <p>Most entries stand for exactly one result column. A {@link Kind#STAR} entry, and an
 * {@link Kind#UNKNOWN} entry with {@link #expands()}, stand for as many result columns as the
 * relation behind them has, which only the catalog (or the result's own description) knows; the
 * gateway aligns the list with the result's columns from both ends.
 *
 * @param label the name the database most likely gives the column: the alias, the column name,
 *     the function name, {@code ?column?} for an operator expression (PostgreSQL's rules, best
 *     effort); MySQL names an unaliased expression by its text, which is given here with literals
 *     replaced ({@code 's'} and {@code 1}); {@code *} for a STAR entry
 * @param kind how the value relates to its sources
 * @param sources base-table columns whose values flow into this column
 * @param wholeRows tables every column of which flows into this column ({@code row_to_json(c)},
 *     {@code SELECT c FROM customers c}); for a STAR entry, tables whose columns flow into every
 *     column of the span besides its own (a UNION of a star with other columns)
 * @param starOf for a STAR entry (or an UNKNOWN one merged with a star), the base tables whose
 *     columns the entry expands to, in order; empty otherwise
 * @param expands whether the entry stands for any number of result columns rather than one
 */
public record OutputColumn(
        String label,
        Kind kind,
        Set<ColumnRef> sources,
        Set<TableName> wholeRows,
        List<TableName> starOf,
        boolean expands) {

    /** How a result column's values relate to the columns they come from. */
    public enum Kind {
        /** The value of exactly one source column, unchanged: {@code email}, {@code c.email}, {@code (email)}. */
        PLAIN_COLUMN,
        /** An expression over its sources (a function, operator, cast, CASE, aggregate, subquery, ...). */
        DERIVED,
        /** An unexpanded {@code *} or {@code t.*} over base tables, named by {@link #starOf()}. */
        STAR,
        /** No column flows into it: literals, parameters, {@code count(*)}, {@code now()}. */
        CONSTANT,
        /**
         * The analysis cannot tell everything the value is derived from: a function it does not know
         * (which may read any table), a column of a set-returning function, {@code *} over a
         * function. {@link #sources()} lists what is known to flow in.
         */
        UNKNOWN
    }

    public OutputColumn {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(kind, "kind");
        sources = compactCopy(sources);
        wholeRows = compactCopy(wholeRows);
        starOf = List.copyOf(starOf);
        if (kind == Kind.STAR && !expands) {
            throw new IllegalArgumentException("a STAR entry always expands");
        }
    }

    /** An unmodifiable copy keeping the order; no set at all for none or one (analyses stay cached by the thousand). */
    private static <T> Set<T> compactCopy(Set<T> set) {
        return switch (set.size()) {
            case 0 -> Set.of();
            case 1 -> Set.of(set.iterator().next());
            default -> Collections.unmodifiableSet(new LinkedHashSet<>(set));
        };
    }

    /** Whether anything of a base table flows into this column. */
    public boolean derivesFromTables() {
        return !sources.isEmpty() || !wholeRows.isEmpty() || !starOf.isEmpty();
    }

    /**
     * Whether {@code column} may flow into this column: as a source, or as part of a whole row or a
     * star over its table. For {@code table.*}, whether any column of the table may.
     */
    public boolean derivesFrom(ColumnRef column) {
        if (wholeRows.contains(column.table()) || starOf.contains(column.table())) {
            return true;
        }
        if (column.everyColumn()) {
            return sources.stream().anyMatch(source -> source.table().equals(column.table()));
        }
        return sources.contains(column);
    }

    /** The same column under another name (a derived table's or CTE's column list renames it). */
    OutputColumn withLabel(String newLabel) {
        return newLabel.equals(label) ? this : new OutputColumn(newLabel, kind, sources, wholeRows, starOf, expands);
    }
}
