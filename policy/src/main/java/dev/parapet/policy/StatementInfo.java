package dev.parapet.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What one SQL statement does, as a guardrail rule sees it. Nothing in it depends on the literal
 * values of the statement, which is what lets the analyzer cache it per query shape.
 *
 * <p>A statement that carries another one lists it in {@link #inner()}: the statement of an
 * EXPLAIN, the body of a PREPARE, the query of a COPY, CREATE TABLE AS, CREATE VIEW or DECLARE
 * CURSOR, the actions of a CREATE RULE, the INSERT/UPDATE/DELETE of a data-modifying CTE. Its
 * tables, columns and functions are also counted in this statement's own sets, so a rule that
 * only looks at the outer statement still sees them: the carried statement's written tables count
 * as written when it runs ({@link #innerExecutes()}) and as read otherwise (a plain EXPLAIN).
 *
 * @param kind what the statement is
 * @param objectType for DDL, GRANT/REVOKE and COMMENT: the kind of object, lower-case words as
 *     written ("table", "materialized view", "database", "role", "function", ...); MySQL's
 *     "schema" is reported as "database"; empty otherwise
 * @param tablesRead tables whose rows or definition the statement reads, including the target of
 *     an UPDATE, DELETE or MERGE (which reads the rows it changes), of an INSERT with RETURNING or
 *     ON CONFLICT/DUPLICATE KEY UPDATE, and tables locked
 * @param tablesWritten tables whose rows, definition or privileges the statement changes
 * @param columns columns referenced per table ({@code *} for {@code SELECT *} or {@code t.*}; a
 *     whole-row reference such as {@code row_to_json(t)}, or columns renamed by {@code FROM t AS
 *     x(a, b)}, adds {@link #WHOLE_ROW} as well, since the values then travel where the result's
 *     columns no longer say where they come from);
 *     an unqualified column in a query over several tables is listed under each of them, since
 *     the analyzer does not know the schema; columns of subqueries and CTEs appear under the base
 *     tables they come from
 * @param where for UPDATE and DELETE, what their WHERE restricts
 * @param functions functions and procedures called, lower-cased (PostgreSQL keeps the case of
 *     quoted names), schema-qualified when the statement qualified them
 * @param serverAccess what the statement does on the server host
 * @param inner statements this one carries
 * @param innerExecutes whether the carried statements run (now or later, as for PREPARE, CREATE
 *     RULE and CREATE VIEW); false only for EXPLAIN without ANALYZE
 * @param outputColumns the columns of the rows the statement returns to the client, in order, each
 *     with what it is derived from (see {@link OutputColumn}): for SELECT, VALUES, TABLE and set
 *     operations, INSERT/UPDATE/DELETE ... RETURNING, and COPY ... TO STDOUT; for DECLARE CURSOR
 *     and PREPARE, the rows a later FETCH or EXECUTE returns. Empty for a statement that returns no
 *     rows, including EXPLAIN (which returns its plan as text), CREATE TABLE AS and SELECT INTO
 * @param predicateColumns columns the statement's filters and orderings look at (WHERE, JOIN
 *     conditions, GROUP BY, HAVING, ORDER BY, DISTINCT ON, QUALIFY, LIMIT, MERGE's ON), anywhere
 *     in it, subqueries and carried statements included; a column read through a derived table or
 *     CTE is the base-table column behind it, and {@code *} stands for every column of a table
 * @param writtenValues the values the statement writes into tables, each with what it is derived
 *     from, as for output columns: the rows of INSERT ... SELECT or VALUES, of SELECT INTO and of
 *     UPSERT, the values of UPDATE's, MERGE's and ON CONFLICT's SET (a column set to itself writes
 *     nothing new and counts as a constant), the values of MERGE's INSERT; those of data-modifying CTEs
 *     included. For a DML statement whose lineage could not be worked out, one value of unknown
 *     origin derived from every column it references. Empty for statements that write no values
 *     (DELETE, DDL) and for carriers (CREATE TABLE AS writes its query's output columns)
 */
public record StatementInfo(
        StatementKind kind,
        String objectType,
        Set<TableName> tablesRead,
        Set<TableName> tablesWritten,
        Map<TableName, Set<String>> columns,
        WhereClause where,
        Set<String> functions,
        Set<ServerAccess> serverAccess,
        List<StatementInfo> inner,
        boolean innerExecutes,
        List<OutputColumn> outputColumns,
        Set<ColumnRef> predicateColumns,
        List<OutputColumn> writtenValues) {

    /** Listed with {@code *} among a table's columns when its whole row is used as one value. */
    public static final String WHOLE_ROW = "(row)";

    public StatementInfo {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(objectType, "objectType");
        Objects.requireNonNull(where, "where");
        tablesRead = Collections.unmodifiableSet(new LinkedHashSet<>(tablesRead));
        tablesWritten = Collections.unmodifiableSet(new LinkedHashSet<>(tablesWritten));
        Map<TableName, Set<String>> copy = new LinkedHashMap<>();
        columns.forEach((table, names) -> copy.put(table, Collections.unmodifiableSet(new LinkedHashSet<>(names))));
        columns = Collections.unmodifiableMap(copy);
        functions = Collections.unmodifiableSet(new LinkedHashSet<>(functions));
        serverAccess = Collections.unmodifiableSet(new LinkedHashSet<>(serverAccess));
        inner = List.copyOf(inner);
        outputColumns = List.copyOf(outputColumns);
        predicateColumns = predicateColumns.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(new LinkedHashSet<>(predicateColumns));
        writtenValues = List.copyOf(writtenValues);
    }

    /** A statement without output columns or predicate columns (the shape of this record before they were added). */
    public StatementInfo(
            StatementKind kind,
            String objectType,
            Set<TableName> tablesRead,
            Set<TableName> tablesWritten,
            Map<TableName, Set<String>> columns,
            WhereClause where,
            Set<String> functions,
            Set<ServerAccess> serverAccess,
            List<StatementInfo> inner,
            boolean innerExecutes) {
        this(kind, objectType, tablesRead, tablesWritten, columns, where, functions, serverAccess, inner, innerExecutes,
                List.of(), Set.of(), List.of());
    }

    /**
     * This statement and, when they run, the statements it carries (recursively): what a rule about
     * statement kinds or WHERE clauses has to check, so that {@code EXPLAIN ANALYZE DELETE FROM t}
     * and {@code WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x} are seen as the DELETEs
     * they are.
     */
    public List<StatementInfo> executed() {
        List<StatementInfo> all = new ArrayList<>();
        collectExecuted(all);
        return Collections.unmodifiableList(all);
    }

    private void collectExecuted(List<StatementInfo> into) {
        into.add(this);
        if (innerExecutes) {
            for (StatementInfo statement : inner) {
                statement.collectExecuted(into);
            }
        }
    }

    /**
     * Every column the statement uses, per table: those of {@link #columns()}, the sources of its
     * output columns (whole rows and stars as {@code *} and {@link #WHOLE_ROW}), and its predicate
     * columns. Two analyses of the same statement that may each miss an odd construct, put
     * together, for rules about columns.
     */
    public Map<TableName, Set<String>> columnsUsed() {
        if (outputColumns.isEmpty() && predicateColumns.isEmpty()) {
            return columns;
        }
        Map<TableName, Set<String>> all = new LinkedHashMap<>();
        columns.forEach((table, names) -> all.computeIfAbsent(table, t -> new LinkedHashSet<>()).addAll(names));
        for (OutputColumn output : outputColumns) {
            for (ColumnRef source : output.sources()) {
                all.computeIfAbsent(source.table(), t -> new LinkedHashSet<>()).add(source.column());
            }
            for (TableName table : output.wholeRows()) {
                Set<String> names = all.computeIfAbsent(table, t -> new LinkedHashSet<>());
                names.add("*");
                names.add(WHOLE_ROW);
            }
            for (TableName table : output.starOf()) {
                all.computeIfAbsent(table, t -> new LinkedHashSet<>()).add("*");
            }
        }
        for (ColumnRef predicate : predicateColumns) {
            all.computeIfAbsent(predicate.table(), t -> new LinkedHashSet<>()).add(predicate.column());
        }
        return all;
    }

    /** Whether the statement references any table, read or written. */
    public boolean touches(TableName table) {
        return tablesRead.contains(table) || tablesWritten.contains(table);
    }
}
