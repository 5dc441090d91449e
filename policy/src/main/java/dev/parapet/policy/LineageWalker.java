package dev.parapet.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnyComparisonExpression;
import net.sf.jsqlparser.expression.ArrayConstructor;
import net.sf.jsqlparser.expression.ArrayExpression;
import net.sf.jsqlparser.expression.CaseExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.CollateExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.ExtractExpression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JsonAggregateFunction;
import net.sf.jsqlparser.expression.JsonFunction;
import net.sf.jsqlparser.expression.JsonFunctionExpression;
import net.sf.jsqlparser.expression.JsonFunctionType;
import net.sf.jsqlparser.expression.JsonKeyValuePair;
import net.sf.jsqlparser.expression.KeepExpression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.MySQLGroupConcat;
import net.sf.jsqlparser.expression.NextValExpression;
import net.sf.jsqlparser.expression.RowConstructor;
import net.sf.jsqlparser.expression.RowGetExpression;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.expression.TimezoneExpression;
import net.sf.jsqlparser.expression.TrimFunction;
import net.sf.jsqlparser.expression.WindowDefinition;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.MemberOfExpression;
import net.sf.jsqlparser.expression.operators.relational.NamedExpressionList;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.ReturningClause;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.delete.ParenthesedDelete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.InsertConflictAction;
import net.sf.jsqlparser.statement.insert.InsertConflictTarget;
import net.sf.jsqlparser.statement.insert.ParenthesedInsert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.merge.MergeDelete;
import net.sf.jsqlparser.statement.merge.MergeInsert;
import net.sf.jsqlparser.statement.merge.MergeOperation;
import net.sf.jsqlparser.statement.merge.MergeUpdate;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Distinct;
import net.sf.jsqlparser.statement.select.Fetch;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.FunctionAllColumns;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.Offset;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.TableStatement;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.ParenthesedUpdate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;
import net.sf.jsqlparser.statement.upsert.Upsert;

/**
 * Works out, from a JSqlParser tree, the lineage of the rows a statement returns (one
 * {@link OutputColumn} per result column) and the columns its filters and orderings look at
 * ({@link StatementInfo#predicateColumns()}). It is a walk of its own beside
 * {@link ParseTreeWalker}, with scopes that know more: what each derived table, CTE and table
 * function in a FROM list yields, so that a column read through any number of them resolves to
 * the base-table columns behind it.
 *
 * <p>Without the schema some names cannot be resolved exactly; the walk then counts every
 * candidate. An unqualified name could be a column of any base table in scope, and, inside a
 * subquery, of an outer query's tables (SQL looks outward when the inner tables lack the column),
 * so it is attributed to all of them until a derived table or CTE that certainly has it is found.
 * Nothing here depends on a literal's value: an ORDER BY or GROUP BY position ({@code ORDER BY 2})
 * counts as every output column, since the statement's shape does not say which.
 */
final class LineageWalker {

    /** Words JSqlParser may hand over as columns that name no column (as in ParseTreeWalker). */
    private static final Set<String> PSEUDO_COLUMNS = Set.of(
            "true", "false", "null", "unknown", "default", "current_date", "current_time", "current_timestamp",
            "localtime", "localtimestamp", "current_user", "session_user", "user", "current_role",
            "current_schema", "current_catalog", "sysdate", "utc_date", "utc_time", "utc_timestamp");

    /** PostgreSQL's names for the types a cast label may fall back to. */
    private static final Map<String, String> PG_TYPE_NAMES = Map.ofEntries(
            Map.entry("int", "int4"), Map.entry("integer", "int4"), Map.entry("bigint", "int8"),
            Map.entry("smallint", "int2"), Map.entry("boolean", "bool"), Map.entry("real", "float4"),
            Map.entry("float", "float8"), Map.entry("double precision", "float8"), Map.entry("decimal", "numeric"),
            Map.entry("character varying", "varchar"), Map.entry("character", "bpchar"), Map.entry("char", "bpchar"),
            Map.entry("timestamp with time zone", "timestamptz"), Map.entry("time with time zone", "timetz"),
            Map.entry("timestamp without time zone", "timestamp"), Map.entry("time without time zone", "time"));

    /**
     * Queries one walk may visit. A recursive CTE's body is walked once per round, so recursive CTEs
     * nested in each other multiply the work; past this the walk gives up (and the caller falls back
     * to the widest lineage) rather than let a crafted statement stall an event loop.
     */
    private static final int MAX_QUERIES = 10_000;

    /** Where the rows of a statement come from and what they are, as far as this walk needs. */
    record Lineage(List<OutputColumn> outputs, Set<ColumnRef> predicates, List<OutputColumn> written) {
    }

    /** What a query yields: its output columns, and the columns its own filters and orderings (and its subqueries') look at. */
    private record Query(List<OutputColumn> outputs, Set<ColumnRef> filters) {
    }

    // ---------------------------------------------------------------- relations and scopes

    /** What a FROM item provides. */
    private sealed interface Relation permits BaseTable, Derived, FunctionRows {
    }

    /** A table, view or other relation of the database; {@code renamed} is its alias column list, if any. */
    private record BaseTable(TableName table, List<String> renamed) implements Relation {
    }

    /**
     * A derived table, CTE or VALUES list with the output columns it yields (already relabelled by
     * any column list); {@code unaligned} holds the names of a column list that fell on or after an
     * entry of unknown width, which cannot be matched to one output.
     */
    private record Derived(List<OutputColumn> outputs, List<String> unaligned) implements Relation {
    }

    /** The rows of a function in FROM: each column is derived from the call; {@code names} is its column list, or null. */
    private record FunctionRows(Flow call, List<String> names) implements Relation {
    }

    /** One FROM item: the relation and the names it is referred to by. */
    private record Item(String reference, String qualifiedReference, Relation relation) {
        boolean answersTo(String name) {
            return name.equals(reference) || name.equals(qualifiedReference);
        }
    }

    /**
     * One level of name visibility. A query has two: one for its CTEs (which a non-LATERAL derived
     * table in its FROM list sees) and, below it, one for its FROM items (which LATERAL items,
     * expressions and subqueries in expressions see).
     */
    private static final class Scope {
        final Scope parent;
        Map<String, Relation> ctes;
        final List<Item> items = new ArrayList<>(2);
        /** A JOIN ... USING or NATURAL JOIN merges columns, so {@code *} does not list each item's columns apart. */
        boolean mergedColumns;
        /** Trailing items {@code *} does not cover (RETURNING's {@code old} and {@code new}). */
        int hiddenItems;
        List<WindowDefinition> windows;

        Scope(Scope parent) {
            this.parent = parent;
        }

        Relation cte(String name) {
            for (Scope scope = this; scope != null; scope = scope.parent) {
                if (scope.ctes != null) {
                    Relation found = scope.ctes.get(name);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        }

        void defineCte(String name, Relation relation) {
            if (ctes == null) {
                ctes = new HashMap<>();
            }
            ctes.put(name, relation);
        }

        WindowDefinition window(String name) {
            for (Scope scope = this; scope != null; scope = scope.parent) {
                if (scope.windows != null) {
                    for (WindowDefinition window : scope.windows) {
                        if (name.equalsIgnoreCase(window.getWindowName())) {
                            return window;
                        }
                    }
                }
            }
            return null;
        }
    }

    // ---------------------------------------------------------------- flows

    /**
     * What flows into one value while it is being worked out. Most values have one source or none,
     * so the sets are only created when something is added.
     */
    private static final class Flow {
        private Set<ColumnRef> sources;
        private Set<TableName> wholeRows;
        /** The value is one column passed through unchanged. */
        boolean plain;
        /** Something the analysis cannot see into flows in. */
        boolean unknown;
        /** Set by a name lookup that certainly matched (a derived table's column), which ends the search outward. */
        boolean definite;

        static Flow column(TableName table, String column) {
            Flow flow = new Flow();
            flow.addSource(new ColumnRef(table, column));
            flow.plain = true;
            return flow;
        }

        static Flow wholeRow(TableName table) {
            Flow flow = new Flow();
            flow.addWholeRows(List.of(table));
            return flow;
        }

        static Flow of(OutputColumn output) {
            Flow flow = new Flow();
            flow.addSources(output.sources());
            flow.addWholeRows(output.wholeRows());
            flow.addWholeRows(output.starOf());
            flow.plain = output.kind() == OutputColumn.Kind.PLAIN_COLUMN;
            flow.unknown = output.kind() == OutputColumn.Kind.UNKNOWN;
            return flow;
        }

        Set<ColumnRef> sources() {
            return sources == null ? Set.of() : sources;
        }

        Set<TableName> wholeRows() {
            return wholeRows == null ? Set.of() : wholeRows;
        }

        boolean fromTables() {
            return sources != null || wholeRows != null;
        }

        void addSource(ColumnRef column) {
            if (sources == null) {
                sources = new LinkedHashSet<>(4);
            }
            sources.add(column);
        }

        void addSources(Collection<ColumnRef> columns) {
            if (!columns.isEmpty()) {
                if (sources == null) {
                    sources = new LinkedHashSet<>(Math.max(4, columns.size() * 2));
                }
                sources.addAll(columns);
            }
        }

        void addWholeRows(Collection<TableName> tables) {
            if (!tables.isEmpty()) {
                if (wholeRows == null) {
                    wholeRows = new LinkedHashSet<>(4);
                }
                wholeRows.addAll(tables);
            }
        }

        Flow copy() {
            Flow flow = new Flow();
            flow.addSources(sources());
            flow.addWholeRows(wholeRows());
            flow.plain = plain;
            flow.unknown = unknown;
            return flow;
        }

        /** Adds {@code other} as one operand of an expression: the result is no longer a plain column. */
        void operand(Flow other) {
            addSources(other.sources());
            addWholeRows(other.wholeRows());
            unknown |= other.unknown;
            plain = false;
        }

        /** Adds a column a filter looked at (a subquery's filters flow into the value it yields). */
        void filter(ColumnRef column) {
            if (column.everyColumn()) {
                addWholeRows(List.of(column.table()));
            } else {
                addSource(column);
            }
            plain = false;
        }

        /**
         * The value is either what it was or {@code other} (an ambiguous name, a UNION, a VALUES
         * column); {@code one} is null for the first alternative. Both are consumed: callers pass
         * flows made for the purpose.
         */
        static Flow either(Flow one, Flow other) {
            if (one == null) {
                return other;
            }
            boolean bothPlain = one.plain && other.plain;
            one.addSources(other.sources());
            one.addWholeRows(other.wholeRows());
            one.unknown |= other.unknown;
            one.plain = bothPlain && one.sources().size() == 1 && one.wholeRows == null;
            return one;
        }

        void addTo(Set<ColumnRef> columns) {
            columns.addAll(sources());
            for (TableName table : wholeRows()) {
                columns.add(new ColumnRef(table, "*"));
            }
        }

        OutputColumn output(String label) {
            OutputColumn.Kind kind;
            if (unknown) {
                kind = OutputColumn.Kind.UNKNOWN;
            } else if (plain && sources().size() == 1 && wholeRows == null) {
                kind = OutputColumn.Kind.PLAIN_COLUMN;
            } else if (fromTables()) {
                kind = OutputColumn.Kind.DERIVED;
            } else {
                kind = OutputColumn.Kind.CONSTANT;
            }
            return new OutputColumn(label, kind, sources(), wholeRows(), List.of(), false);
        }
    }

    // ---------------------------------------------------------------- state

    private final Dialect dialect;
    private final Names names;
    private final Expressions expressions = new Expressions();
    /** Where columns seen in filters go now: the innermost query's set, merged outward when it ends. */
    private Set<ColumnRef> predicates = new LinkedHashSet<>();
    /** The values written into tables, by this statement and any it carries (see {@link StatementInfo#writtenValues()}). */
    private final Set<OutputColumn> written = new LinkedHashSet<>();
    /** The flow the expression visitor adds to, and the scope it resolves names in. */
    private Flow target;
    private Scope current;
    private int queries;

    private LineageWalker(Dialect dialect) {
        this.dialect = dialect;
        this.names = new Names(dialect);
    }

    /** The output columns and predicate columns of {@code statement}, a query or DML statement. */
    static Lineage lineage(Dialect dialect, Statement statement) {
        LineageWalker walker = new LineageWalker(dialect);
        List<OutputColumn> outputs = walker.statement(statement, null, true);
        return new Lineage(outputs, walker.predicates, List.copyOf(walker.written));
    }

    /** Whether {@code statement} sends rows to the client: a query not writing into a table, or DML with RETURNING. */
    static boolean returnsRows(Statement statement) {
        return switch (statement) {
            case ParenthesedInsert p -> returnsRows(p.getInsert());
            case ParenthesedUpdate p -> returnsRows(p.getUpdate());
            case ParenthesedDelete p -> returnsRows(p.getDelete());
            case Select select -> !selectsInto(select);
            case Insert insert -> hasItems(insert.getReturningClause());
            case Update update -> hasItems(update.getReturningClause());
            case Delete delete -> hasItems(delete.getReturningClause());
            default -> false;
        };
    }

    private static boolean hasItems(ReturningClause returning) {
        return returning != null && !returning.isEmpty();
    }

    private static boolean selectsInto(Select select) {
        return switch (select) {
            case PlainSelect plain -> plain.getIntoTables() != null && !plain.getIntoTables().isEmpty();
            case SetOperationList operations -> !operations.getSelects().isEmpty() && selectsInto(operations.getSelects().get(0));
            case ParenthesedSelect parenthesed -> parenthesed.getSelect() != null && selectsInto(parenthesed.getSelect());
            default -> false;
        };
    }

    // ---------------------------------------------------------------- statements

    /** The rows {@code statement} returns ({@code top}: to the client, so SELECT INTO returns none). */
    private List<OutputColumn> statement(Statement statement, Scope parent, boolean top) {
        return switch (statement) {
            case ParenthesedInsert parenthesed -> statement(parenthesed.getInsert(), parent, top);
            case ParenthesedUpdate parenthesed -> statement(parenthesed.getUpdate(), parent, top);
            case ParenthesedDelete parenthesed -> statement(parenthesed.getDelete(), parent, top);
            case Select select -> {
                List<OutputColumn> outputs = query(select, parent).outputs();
                if (top && selectsInto(select)) {
                    written.addAll(outputs);
                    yield List.of();
                }
                yield outputs;
            }
            case Insert insert -> insert(insert, parent);
            case Update update -> update(update, parent);
            case Delete delete -> delete(delete, parent);
            case Merge merge -> {
                merge(merge, parent);
                yield List.of();
            }
            case Upsert upsert -> {
                upsert(upsert, parent);
                yield List.of();
            }
            default -> throw new UnreadableStatementException(
                    "the lineage of a " + statement.getClass().getSimpleName() + " is not worked out");
        };
    }

    private List<OutputColumn> insert(Insert insert, Scope parent) {
        Scope ctes = new Scope(parent);
        withItems(insert.getWithItemsList(), ctes);
        if (insert.getSelect() != null) {
            written.addAll(query(insert.getSelect(), ctes).outputs());
        }
        Scope scope = new Scope(ctes);
        TableName target = tableName(insert.getTable());
        register(scope, insert.getTable(), new BaseTable(target, null));
        values(insert.getSetUpdateSets(), scope);
        values(insert.getDuplicateUpdateSets(), scope);
        InsertConflictTarget conflictTarget = insert.getConflictTarget();
        if (conflictTarget != null) {
            value(conflictTarget.getIndexExpression(), scope);
            value(conflictTarget.getWhereExpression(), scope);
        }
        InsertConflictAction action = insert.getConflictAction();
        if (action != null) {
            values(action.getUpdateSets(), scope);
            predicate(action.getWhereExpression(), scope);
        }
        return returning(insert.getReturningClause(), scope);
    }

    private List<OutputColumn> update(Update update, Scope parent) {
        Scope ctes = new Scope(parent);
        withItems(update.getWithItemsList(), ctes);
        Scope scope = new Scope(ctes);
        fromItem(update.getTable(), scope);
        if (update.getStartJoins() != null) {
            joins(update.getStartJoins(), scope);
        }
        if (update.getFromItem() != null) {
            fromItem(update.getFromItem(), scope);
        }
        joins(update.getJoins(), scope);
        values(update.getUpdateSets(), scope);
        predicate(update.getWhere(), scope);
        orderBy(update.getOrderByElements(), scope, List.of());
        limit(update.getLimit(), scope);
        return returning(update.getReturningClause(), scope);
    }

    private List<OutputColumn> delete(Delete delete, Scope parent) {
        Scope ctes = new Scope(parent);
        withItems(delete.getWithItemsList(), ctes);
        Scope scope = new Scope(ctes);
        if (delete.getTable() != null) {
            fromItem(delete.getTable(), scope);
        }
        if (delete.getUsingList() != null) {
            for (Table table : delete.getUsingList()) {
                fromItem(table, scope);
            }
        }
        joins(delete.getJoins(), scope);
        predicate(delete.getWhere(), scope);
        orderBy(delete.getOrderByElements(), scope, List.of());
        limit(delete.getLimit(), scope);
        return returning(delete.getReturningClause(), scope);
    }

    private void merge(Merge merge, Scope parent) {
        Scope ctes = new Scope(parent);
        withItems(merge.getWithItemsList(), ctes);
        Scope scope = new Scope(ctes);
        fromItem(merge.getTable(), scope);
        if (merge.getFromItem() != null) {
            fromItem(merge.getFromItem(), scope);
        }
        predicate(merge.getOnCondition(), scope);
        if (merge.getOperations() == null) {
            return;
        }
        for (MergeOperation operation : merge.getOperations()) {
            switch (operation) {
                case MergeUpdate update -> {
                    predicate(update.getAndPredicate(), scope);
                    values(update.getUpdateSets(), scope);
                    predicate(update.getWhereCondition(), scope);
                    predicate(update.getDeleteWhereCondition(), scope);
                }
                case MergeInsert insert -> {
                    predicate(insert.getAndPredicate(), scope);
                    written.add(value(insert.getValues(), scope).output("?column?"));
                    predicate(insert.getWhereCondition(), scope);
                }
                case MergeDelete delete -> predicate(delete.getAndPredicate(), scope);
                default -> {
                    // ParseTreeWalker has refused any other action already
                }
            }
        }
    }

    private void upsert(Upsert upsert, Scope parent) {
        if (upsert.getSelect() != null) {
            written.addAll(query(upsert.getSelect(), parent).outputs());
        }
        Scope scope = new Scope(parent);
        register(scope, upsert.getTable(), new BaseTable(tableName(upsert.getTable()), null));
        values(upsert.getUpdateSets(), scope);
        values(upsert.getDuplicateUpdateSets(), scope);
    }

    /**
     * Values assigned by SET: they return nothing, but they are written, and subqueries in them
     * have filters. A column set to itself ({@code SET city = city}) writes nothing new: it counts as a constant.
     */
    private void values(List<UpdateSet> sets, Scope scope) {
        if (sets == null) {
            return;
        }
        TableName target = !scope.items.isEmpty() && scope.items.get(0).relation() instanceof BaseTable base ? base.table() : null;
        for (UpdateSet set : sets) {
            var columns = set.getColumns();
            var values = set.getValues();
            if (columns != null && values != null && columns.size() == values.size()) {
                for (int i = 0; i < values.size(); i++) {
                    Flow flow = value((Expression) values.get(i), scope);
                    String column = identifier(columns.get(i).getColumnName());
                    boolean itself = flow.plain && target != null && flow.sources().equals(Set.of(new ColumnRef(target, column)));
                    written.add(itself ? new OutputColumn(column, OutputColumn.Kind.CONSTANT, Set.of(), Set.of(), List.of(), false)
                            : flow.output(column));
                }
            } else {
                written.add(value(values, scope).output("?column?"));
            }
        }
    }

    /**
     * RETURNING: evaluated over the target and, for UPDATE ... FROM and DELETE ... USING, the other
     * tables too ({@code RETURNING *} lists them all). PostgreSQL 18's {@code old} and {@code new}
     * name the target's row before and after.
     */
    private List<OutputColumn> returning(ReturningClause returning, Scope scope) {
        if (!hasItems(returning)) {
            return List.of();
        }
        if (!scope.items.isEmpty() && scope.items.get(0).relation() instanceof BaseTable target
                && findItem(scope, "old") == null && findItem(scope, "new") == null) {
            scope.items.add(new Item("old", null, target));
            scope.items.add(new Item("new", null, target));
            scope.hiddenItems = 2;
        }
        return selectItems(returning, scope);
    }

    // ---------------------------------------------------------------- queries

    private Query query(Select select, Scope parent) {
        if (++queries > MAX_QUERIES) {
            throw new UnreadableStatementException("the statement has too many queries to work out their lineage");
        }
        Set<ColumnRef> outer = predicates;
        predicates = new LinkedHashSet<>();
        try {
            Scope ctes = new Scope(parent);
            withItems(select.getWithItemsList(), ctes);
            Scope scope = new Scope(ctes);
            List<OutputColumn> outputs = switch (select) {
                case PlainSelect plain -> plainSelect(plain, scope);
                case SetOperationList operations -> {
                    List<List<OutputColumn>> branches = new ArrayList<>();
                    for (Select branch : operations.getSelects()) {
                        branches.add(query(branch, scope).outputs());
                    }
                    yield either(branches);
                }
                case ParenthesedSelect parenthesed -> query(parenthesed.getSelect(), scope).outputs();
                case Values values -> valuesOutputs(values, scope);
                case TableStatement table -> expand(tableRelation(table.getTable(), scope));
                default -> throw new UnreadableStatementException(
                        "the lineage of a query read as " + select.getClass().getSimpleName() + " is not worked out");
            };
            orderBy(select.getOrderByElements(), scope, outputs);
            limit(select.getLimit(), scope);
            limit(select.getLimitBy(), scope);
            Offset offset = select.getOffset();
            if (offset != null) {
                predicate(offset.getOffset(), scope);
            }
            Fetch fetch = select.getFetch();
            if (fetch != null) {
                predicate(fetch.getExpression(), scope);
            }
            return new Query(outputs, predicates);
        } finally {
            Set<ColumnRef> inner = predicates;
            predicates = outer;
            outer.addAll(inner);
        }
    }

    private List<OutputColumn> plainSelect(PlainSelect select, Scope scope) {
        if (select.getFromItem() != null) {
            fromItem(select.getFromItem(), scope);
        }
        joins(select.getJoins(), scope);
        scope.windows = select.getWindowDefinitions();
        List<OutputColumn> outputs = selectItems(select.getSelectItems(), scope);
        Distinct distinct = select.getDistinct();
        if (distinct != null && distinct.getOnSelectItems() != null) {
            for (SelectItem<?> item : distinct.getOnSelectItems()) {
                orderingTerm(item.getExpression(), scope, outputs);
            }
        }
        predicate(select.getWhere(), scope);
        GroupByElement groupBy = select.getGroupBy();
        if (groupBy != null) {
            ExpressionList<?> list = groupBy.getGroupByExpressionList();
            if (list != null) {
                for (Expression expression : list) {
                    orderingTerm(expression, scope, outputs);
                }
            }
            if (groupBy.getGroupingSets() != null) {
                for (ExpressionList<?> set : groupBy.getGroupingSets()) {
                    for (Expression expression : set) {
                        orderingTerm(expression, scope, outputs);
                    }
                }
            }
        }
        if (select.getHaving() != null) {
            orderingTerm(select.getHaving(), scope, outputs);
        }
        predicate(select.getQualify(), scope);
        return outputs;
    }

    private List<OutputColumn> selectItems(List<? extends SelectItem<?>> items, Scope scope) {
        List<OutputColumn> outputs = new ArrayList<>(items.size());
        for (SelectItem<?> item : items) {
            Expression expression = item.getExpression();
            switch (expression) {
                case AllTableColumns table -> outputs.addAll(expandReference(table.getTable(), scope));
                case FunctionAllColumns function -> {
                    // (f(x)).*: the fields of a composite value, as many as its type has
                    Flow flow = value(function.getFunction(), scope);
                    flow.unknown = true;
                    outputs.add(expanding(flow, List.of()));
                }
                case AllColumns ignored -> outputs.addAll(expandAll(scope));
                default -> outputs.add(value(expression, scope).output(label(expression, item.getAlias())));
            }
        }
        return outputs;
    }

    /** The outputs of VALUES: column by column, what any row puts there. */
    private List<OutputColumn> valuesOutputs(Values values, Scope scope) {
        List<List<OutputColumn>> rows = new ArrayList<>();
        ExpressionList<?> expressions = values.getExpressions();
        if (expressions instanceof ParenthesedExpressionList<?> single) {
            rows.add(valuesRow(single, scope));
        } else if (expressions != null) {
            for (Expression row : expressions) {
                if (row instanceof ParenthesedExpressionList<?> list) {
                    rows.add(valuesRow(list, scope));
                } else if (row instanceof Function function && function.getParameters() != null
                        && Tokens.asciiLowerCase(function.getName()).equals("row")) {
                    rows.add(valuesRow(function.getParameters(), scope)); // MySQL VALUES ROW(...)
                } else {
                    rows.add(valuesRow(List.of(row), scope));
                }
            }
        }
        return either(rows);
    }

    private List<OutputColumn> valuesRow(List<? extends Expression> row, Scope scope) {
        List<OutputColumn> outputs = new ArrayList<>(row.size());
        for (int i = 0; i < row.size(); i++) {
            String label = dialect == Dialect.MYSQL ? "column_" + i : "column" + (i + 1);
            outputs.add(value(row.get(i), scope).output(label));
        }
        return outputs;
    }

    private void withItems(List<WithItem<?>> items, Scope scope) {
        if (items == null) {
            return;
        }
        for (WithItem<?> item : items) {
            String name = identifier(item.getAliasName());
            List<String> columns = null;
            if (item.getWithItemList() != null && !item.getWithItemList().isEmpty()) {
                columns = new ArrayList<>();
                for (SelectItem<?> column : item.getWithItemList()) {
                    columns.add(column.getExpression() instanceof Column c
                            ? identifier(c.getColumnName()) : identifier(column.getExpression().toString()));
                }
            }
            Object body = item.getParenthesedStatement();
            if (!(body instanceof Statement statement)) {
                throw new UnreadableStatementException("the CTE " + name + " holds a statement that is not analysed");
            }
            if (!item.isRecursive()) {
                scope.defineCte(name, derived(statement(statement, scope, false), columns));
                continue;
            }
            // A recursive CTE reads itself. Its rows start as those of the first branch (which may not
            // read it) and each round adds what the whole body yields from the rows so far; sources
            // only grow, so the rounds end (the cap is a guard)
            Derived bound = derived(firstBranch(statement, scope), columns);
            for (int round = 0; round < 8; round++) {
                scope.defineCte(name, bound);
                Derived next = derived(statement(statement, scope, false), columns);
                if (next.equals(bound)) {
                    break;
                }
                bound = round < 7 ? next : new Derived(either(List.of(bound.outputs(), next.outputs())), next.unaligned());
            }
            scope.defineCte(name, bound);
        }
    }

    /** The outputs of a recursive CTE's first branch (its non-recursive part), or none when it has no branches. */
    private List<OutputColumn> firstBranch(Statement body, Scope scope) {
        Statement statement = body;
        while (statement instanceof ParenthesedSelect parenthesed && parenthesed.getWithItemsList() == null) {
            statement = parenthesed.getSelect();
        }
        if (statement instanceof SetOperationList operations && !operations.getSelects().isEmpty()) {
            return query(operations.getSelects().get(0), scope).outputs();
        }
        return List.of();
    }

    /** A derived relation's outputs relabelled by a column list, up to the first entry of unknown width. */
    private static Derived derived(List<OutputColumn> outputs, List<String> names) {
        if (names == null || names.isEmpty()) {
            return new Derived(outputs, List.of());
        }
        List<OutputColumn> relabelled = new ArrayList<>(outputs);
        int i = 0;
        for (; i < names.size() && i < relabelled.size(); i++) {
            if (relabelled.get(i).expands()) {
                break;
            }
            relabelled.set(i, relabelled.get(i).withLabel(names.get(i)));
        }
        return new Derived(relabelled, i < names.size() ? names.subList(i, names.size()) : List.of());
    }

    // ---------------------------------------------------------------- FROM

    private void fromItem(FromItem item, Scope scope) {
        switch (item) {
            case Table table -> register(scope, table, tableRelation(table, scope));
            case LateralSubSelect lateral -> {
                List<OutputColumn> outputs = query(lateral, scope).outputs();
                register(scope, lateral.getAlias(), derived(outputs, aliasColumns(lateral.getAlias())));
            }
            case ParenthesedSelect subquery -> {
                // an ordinary derived table sees the query's CTEs and outer queries, not its siblings
                List<OutputColumn> outputs = query(subquery, scope.parent).outputs();
                register(scope, subquery.getAlias(), derived(outputs, aliasColumns(subquery.getAlias())));
            }
            case TableFunction function -> {
                Flow call = value(function.getFunction(), scope);
                call.plain = false;
                String name = functionName(function.getFunction().getMultipartName());
                String alias = function.getAlias() == null ? null : identifier(function.getAlias().getName());
                List<String> names = aliasColumns(function.getAlias());
                if (names == null) {
                    names = setFunctionColumns(name, alias, function.getWithClause());
                }
                scope.items.add(new Item(alias != null ? alias : lastPart(name), null, new FunctionRows(call, names)));
            }
            case ParenthesedFromItem parenthesed -> {
                int first = scope.items.size();
                boolean merged = scope.mergedColumns;
                fromItem(parenthesed.getFromItem(), scope);
                joins(parenthesed.getJoins(), scope);
                if (parenthesed.getAlias() != null) {
                    // (a JOIN b) AS j: the join's columns under one name, which hides the names inside
                    List<Item> members = scope.items.subList(first, scope.items.size());
                    List<OutputColumn> outputs = new ArrayList<>();
                    for (Item member : members) {
                        outputs.addAll(expand(member.relation()));
                    }
                    if (scope.mergedColumns && !merged) {
                        outputs = List.of(collapse(outputs));
                    }
                    members.clear();
                    scope.mergedColumns = merged;
                    register(scope, parenthesed.getAlias(), derived(outputs, aliasColumns(parenthesed.getAlias())));
                }
            }
            case Values values -> {
                List<OutputColumn> outputs = valuesOutputs(values, scope.parent);
                register(scope, values.getAlias(), derived(outputs, aliasColumns(values.getAlias())));
            }
            case Select select -> register(scope, (Alias) null, derived(query(select, scope.parent).outputs(), null));
            default -> throw new UnreadableStatementException(
                    "the lineage of a FROM item read as " + item.getClass().getSimpleName() + " is not worked out");
        }
    }

    /** A table named in FROM: a CTE in scope, or a relation of the database. */
    private Relation tableRelation(Table table, Scope scope) {
        TableName name = tableName(table);
        if (!name.qualified()) {
            Relation cte = scope.cte(name.name());
            if (cte instanceof Derived derived) {
                List<String> renamed = aliasColumns(table.getAlias());
                if (renamed == null) {
                    return derived;
                }
                // FROM a AS t(x): new names over the CTE's own; a name either list could not place stays loose
                Derived relabelled = derived(derived.outputs(), renamed);
                List<String> unaligned = new ArrayList<>(relabelled.unaligned());
                unaligned.addAll(derived.unaligned());
                return new Derived(relabelled.outputs(), unaligned);
            }
        }
        return new BaseTable(name, aliasColumns(table.getAlias()));
    }

    private void register(Scope scope, Table table, Relation relation) {
        if (table.getAlias() != null) {
            scope.items.add(new Item(identifier(table.getAlias().getName()), null, relation));
            return;
        }
        TableName name = tableName(table);
        scope.items.add(new Item(name.name(), name.qualified() ? name.toString() : null, relation));
    }

    private void register(Scope scope, Alias alias, Relation relation) {
        scope.items.add(new Item(alias == null ? null : identifier(alias.getName()), null, relation));
    }

    private List<String> aliasColumns(Alias alias) {
        if (alias == null || alias.getAliasColumns() == null || alias.getAliasColumns().isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>(alias.getAliasColumns().size());
        for (Alias.AliasColumn column : alias.getAliasColumns()) {
            names.add(identifier(column.name));
        }
        return names;
    }

    /**
     * The columns of a built-in set-returning function called without a column list, when they are
     * fixed: a single column named after the alias (or the function), or json_each's key and value;
     * null when the function's columns are not known here.
     */
    private static List<String> setFunctionColumns(String function, String alias, String withClause) {
        String bare = lastPart(function);
        List<String> names = switch (bare) {
            case "generate_series", "generate_subscripts", "unnest", "regexp_split_to_table", "string_to_table",
                    "json_object_keys", "jsonb_object_keys", "regexp_matches" ->
                    List.of(alias != null ? alias : bare);
            case "json_array_elements", "jsonb_array_elements", "json_array_elements_text",
                    "jsonb_array_elements_text" -> List.of("value");
            case "json_each", "jsonb_each", "json_each_text", "jsonb_each_text" -> List.of("key", "value");
            default -> null;
        };
        if (names == null || !BuiltinFunctions.argumentOnly(function)) {
            return null;
        }
        if (withClause != null && Tokens.asciiLowerCase(withClause).contains("ordinality")) {
            List<String> withOrdinality = new ArrayList<>(names);
            withOrdinality.add("ordinality");
            return withOrdinality;
        }
        return names;
    }

    private void joins(List<Join> joins, Scope scope) {
        if (joins == null) {
            return;
        }
        for (Join join : joins) {
            fromItem(join.getRightItem(), scope);
            if (join.getOnExpressions() != null) {
                for (Expression on : join.getOnExpressions()) {
                    predicate(on, scope);
                }
            }
            if (join.getUsingColumns() != null && !join.getUsingColumns().isEmpty()) {
                scope.mergedColumns = true;
                for (Column column : join.getUsingColumns()) {
                    predicate(column, scope);
                }
            }
            if (join.isNatural()) {
                // the columns both sides share are compared, and which they are is in the schema
                scope.mergedColumns = true;
                for (Item item : scope.items) {
                    wholeRow(item.relation()).addTo(predicates);
                }
            }
        }
    }

    // ---------------------------------------------------------------- * expansion

    /** {@code *}: every item of the nearest FROM list, in order. */
    private List<OutputColumn> expandAll(Scope scope) {
        for (Scope s = scope; s != null; s = s.parent) {
            if (s.items.isEmpty()) {
                continue;
            }
            List<Item> items = starItems(s);
            if (s.mergedColumns) {
                // USING and NATURAL joins put the merged columns first: the items cannot be told apart
                List<OutputColumn> all = new ArrayList<>();
                for (Item item : items) {
                    all.addAll(expand(item.relation()));
                }
                return List.of(collapse(all));
            }
            List<OutputColumn> outputs = new ArrayList<>();
            for (Item item : items) {
                outputs.addAll(expand(item.relation()));
            }
            return outputs;
        }
        return List.of();
    }

    /** The items {@code *} covers: all but the {@code old} and {@code new} a RETURNING scope adds. */
    private static List<Item> starItems(Scope scope) {
        return scope.items.subList(0, scope.items.size() - scope.hiddenItems);
    }

    /** {@code t.*}. */
    private List<OutputColumn> expandReference(Table table, Scope scope) {
        Item item = findReference(table, scope);
        if (item == null) {
            // EXCLUDED.*, a composite column's fields, or a name PostgreSQL would reject
            Flow flow = table.getName() == null ? new Flow() : resolve(identifier(table.getName()), scope);
            flow.unknown = true;
            return List.of(expanding(flow, List.of()));
        }
        return expand(item.relation());
    }

    private List<OutputColumn> expand(Relation relation) {
        return switch (relation) {
            case BaseTable base -> List.of(new OutputColumn("*", OutputColumn.Kind.STAR, Set.of(), Set.of(),
                    List.of(base.table()), true));
            case Derived derived -> derived.outputs();
            case FunctionRows function -> {
                if (function.names() == null) {
                    Flow flow = function.call().copy();
                    flow.unknown = true;
                    yield List.of(expanding(flow, List.of()));
                }
                List<OutputColumn> outputs = new ArrayList<>();
                for (String name : function.names()) {
                    outputs.add(function.call().copy().output(name));
                }
                yield outputs;
            }
        };
    }

    /**
     * An entry of unknown width: UNKNOWN when something unknown flows in, a STAR when it covers base
     * tables, else DERIVED or CONSTANT (outputs of known width whose positions could not be told).
     */
    private static OutputColumn expanding(Flow flow, List<TableName> starOf) {
        OutputColumn.Kind kind;
        if (flow.unknown) {
            kind = OutputColumn.Kind.UNKNOWN;
        } else if (!starOf.isEmpty()) {
            kind = OutputColumn.Kind.STAR;
        } else if (flow.fromTables()) {
            kind = OutputColumn.Kind.DERIVED;
        } else {
            kind = OutputColumn.Kind.CONSTANT;
        }
        return new OutputColumn(kind == OutputColumn.Kind.STAR ? "*" : "?column?", kind, flow.sources(),
                flow.wholeRows(), starOf, true);
    }

    /** Several outputs that cannot be told apart, as one entry of unknown width. */
    private static OutputColumn collapse(List<OutputColumn> outputs) {
        if (outputs.size() == 1 && outputs.get(0).expands()) {
            return outputs.get(0);
        }
        Flow flow = new Flow();
        LinkedHashSet<TableName> stars = new LinkedHashSet<>();
        for (OutputColumn output : outputs) {
            flow.addSources(output.sources());
            flow.addWholeRows(output.wholeRows());
            stars.addAll(output.starOf());
            flow.unknown |= output.kind() == OutputColumn.Kind.UNKNOWN;
        }
        return expanding(flow, List.copyOf(stars));
    }

    // ---------------------------------------------------------------- several branches

    /**
     * The outputs of a UNION / INTERSECT / EXCEPT, or of VALUES rows: position by position, what
     * any branch puts there, labelled as the first branch. Entries of unknown width (stars) keep
     * positions from lining up; the positions before the first and after the last such entry still
     * do, and what lies between is collapsed into one entry of unknown width.
     */
    private static List<OutputColumn> either(List<List<OutputColumn>> branches) {
        if (branches.isEmpty()) {
            return List.of();
        }
        if (branches.size() == 1) {
            return branches.get(0);
        }
        int prefix = Integer.MAX_VALUE;
        int suffix = Integer.MAX_VALUE;
        boolean aligned = true;
        int size = branches.get(0).size();
        for (List<OutputColumn> branch : branches) {
            int first = firstExpanding(branch);
            int last = lastExpanding(branch);
            prefix = Math.min(prefix, first);
            suffix = Math.min(suffix, last < 0 ? branch.size() : branch.size() - 1 - last);
            aligned &= first == branch.size() && branch.size() == size;
        }
        if (aligned) {
            List<OutputColumn> merged = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                merged.add(atPosition(branches, i));
            }
            return merged;
        }
        for (List<OutputColumn> branch : branches) {
            suffix = Math.min(suffix, branch.size() - prefix);
        }
        List<OutputColumn> merged = new ArrayList<>();
        for (int i = 0; i < prefix; i++) {
            merged.add(atPosition(branches, i));
        }
        List<OutputColumn> middle = new ArrayList<>();
        for (List<OutputColumn> branch : branches) {
            middle.addAll(branch.subList(prefix, branch.size() - suffix));
        }
        if (!middle.isEmpty()) {
            OutputColumn collapsed = collapse(middle);
            merged.add(collapsed.withLabel(collapsed.kind() == OutputColumn.Kind.STAR ? "*"
                    : branches.get(0).size() > prefix ? branches.get(0).get(prefix).label() : collapsed.label()));
        }
        for (int k = suffix; k > 0; k--) {
            List<OutputColumn> at = new ArrayList<>(branches.size());
            for (List<OutputColumn> branch : branches) {
                at.add(branch.get(branch.size() - k));
            }
            merged.add(eitherColumn(at));
        }
        return merged;
    }

    private static OutputColumn atPosition(List<List<OutputColumn>> branches, int position) {
        List<OutputColumn> at = new ArrayList<>(branches.size());
        for (List<OutputColumn> branch : branches) {
            at.add(branch.get(position));
        }
        return eitherColumn(at);
    }

    /** One position of several branches: a column that is any of these. */
    private static OutputColumn eitherColumn(List<OutputColumn> columns) {
        OutputColumn first = columns.get(0);
        boolean expands = false;
        for (OutputColumn column : columns) {
            expands |= column.expands();
        }
        if (expands) {
            return collapse(columns).withLabel(first.label());
        }
        Flow flow = null;
        for (OutputColumn column : columns) {
            flow = Flow.either(flow, Flow.of(column));
        }
        return flow.output(first.label());
    }

    private static int firstExpanding(List<OutputColumn> outputs) {
        for (int i = 0; i < outputs.size(); i++) {
            if (outputs.get(i).expands()) {
                return i;
            }
        }
        return outputs.size();
    }

    private static int lastExpanding(List<OutputColumn> outputs) {
        for (int i = outputs.size() - 1; i >= 0; i--) {
            if (outputs.get(i).expands()) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- filters and orderings

    /** An expression of a WHERE, ON, QUALIFY, LIMIT, ...: every column it looks at is a predicate column. */
    private void predicate(Expression expression, Scope scope) {
        if (expression != null) {
            value(expression, scope).addTo(predicates);
        }
    }

    private void orderBy(List<OrderByElement> elements, Scope scope, List<OutputColumn> outputs) {
        if (elements != null) {
            for (OrderByElement element : elements) {
                orderingTerm(element.getExpression(), scope, outputs);
            }
        }
    }

    /**
     * A term of ORDER BY, GROUP BY, DISTINCT ON or HAVING, which may name an output column
     * ({@code ORDER BY e}), give its position ({@code ORDER BY 2}, every output since the position
     * is a literal) or be an expression over the FROM list; a bare name counts as both an output
     * and an input column, as PostgreSQL and MySQL prefer one or the other depending on the clause.
     */
    private void orderingTerm(Expression expression, Scope scope, List<OutputColumn> outputs) {
        Expression term = unwrap(expression);
        if (term instanceof LongValue || term instanceof DoubleValue) {
            for (OutputColumn output : outputs) {
                Flow.of(output).addTo(predicates);
            }
            return;
        }
        if (term instanceof Column column && (column.getTable() == null || column.getTable().getName() == null)) {
            String name = identifier(column.getColumnName());
            boolean matched = false;
            for (OutputColumn output : outputs) {
                if (!output.expands() && output.label().equals(name)) {
                    Flow.of(output).addTo(predicates);
                    matched = true;
                }
            }
            if (matched && scope.items.isEmpty()) {
                return; // a set operation's ORDER BY names its outputs only
            }
            if (!matched && scope.items.isEmpty() && !outputs.isEmpty()) {
                for (OutputColumn output : outputs) {
                    Flow.of(output).addTo(predicates);
                }
                return;
            }
        }
        predicate(expression, scope);
    }

    private void limit(Limit limit, Scope scope) {
        if (limit != null) {
            predicate(limit.getRowCount(), scope);
            predicate(limit.getOffset(), scope);
        }
    }

    // ---------------------------------------------------------------- values

    /** What flows into {@code expression} evaluated in {@code scope}. */
    private Flow value(Expression expression, Scope scope) {
        Flow flow = new Flow();
        if (expression == null) {
            return flow;
        }
        Expression unwrapped = unwrap(expression);
        if (unwrapped instanceof Column column) {
            return column(column, scope);
        }
        if (unwrapped instanceof RowGetExpression rowGet && fromItemColumn(rowGet, scope) instanceof Flow column) {
            return column;
        }
        if (unwrapped instanceof Select subquery) {
            return subquery(subquery, scope);
        }
        Flow savedTarget = target;
        Scope savedScope = current;
        target = flow;
        current = scope;
        try {
            unwrapped.accept(expressions, null);
        } finally {
            target = savedTarget;
            current = savedScope;
        }
        flow.plain = false;
        return flow;
    }

    private static Expression unwrap(Expression expression) {
        Expression e = expression;
        while (e instanceof ParenthesedExpressionList<?> list && list.size() == 1) {
            e = list.get(0);
        }
        return e;
    }

    /**
     * A subquery used as a value (scalar, IN, ANY/ALL, ARRAY(...)): what its outputs are derived
     * from, and also the columns its filters look at, since which rows it picks is part of the
     * value it yields for each outer row.
     */
    private Flow subquery(Select select, Scope scope) {
        Query query = query(select, scope);
        Flow flow = null;
        for (OutputColumn output : query.outputs()) {
            flow = Flow.either(flow, Flow.of(output));
        }
        if (flow == null) {
            flow = new Flow();
        }
        if (query.outputs().size() > 1) {
            flow.plain = false;
        }
        for (ColumnRef column : query.filters()) {
            flow.filter(column);
        }
        return flow;
    }

    /** EXISTS (subquery): the value says only whether a row passed its filters, so it is derived from those. */
    private Flow exists(Select select, Scope scope) {
        Query query = query(select, scope);
        Flow flow = new Flow();
        for (ColumnRef column : query.filters()) {
            flow.filter(column);
        }
        return flow;
    }

    private Flow column(Column column, Scope scope) {
        Table table = column.getTable();
        String raw = column.getColumnName();
        if (table == null || table.getName() == null) {
            if (raw != null && !raw.startsWith("\"") && !raw.startsWith("`")
                    && PSEUDO_COLUMNS.contains(Tokens.asciiLowerCase(raw))) {
                return new Flow();
            }
            return resolve(identifier(raw), scope);
        }
        String name = identifier(raw);
        Item item = findReference(table, scope);
        if (item != null) {
            return qualified(item.relation(), name);
        }
        // not a FROM item: EXCLUDED or NEW/OLD of a rule, or a field of a composite column
        // written without parentheses; count the column it could be, and what the analysis cannot see
        Flow flow = resolve(identifier(table.getName()), scope);
        flow.operand(Flow.column(tableName(table), name));
        flow.unknown = true;
        return flow;
    }

    /** The FROM item a qualifier names: {@code c} or {@code shop.customers}, or {@code shop.customers} over FROM customers. */
    private Item findReference(Table qualifier, Scope scope) {
        TableName name = tableName(qualifier);
        Item item = findItem(scope, name.toString());
        return item == null && name.qualified() ? findItem(scope, name.name()) : item;
    }

    private static Item findItem(Scope scope, String reference) {
        for (Scope s = scope; s != null; s = s.parent) {
            for (Item item : s.items) {
                if (item.answersTo(reference)) {
                    return item;
                }
            }
        }
        return null;
    }

    /**
     * An unqualified name: a column of any item of the innermost FROM list that may have it, or of
     * an outer one when no item certainly has it; also a whole-row reference when an item answers
     * to the name.
     */
    private Flow resolve(String name, Scope scope) {
        Flow found = null;
        Scope nearest = null;
        for (Scope s = scope; s != null; s = s.parent) {
            if (s.items.isEmpty()) {
                continue;
            }
            if (nearest == null) {
                nearest = s;
            }
            boolean definite = false;
            for (Item item : s.items) {
                Flow candidate = unqualified(item.relation(), name);
                if (candidate != null) {
                    definite |= candidate.definite;
                    found = Flow.either(found, candidate);
                }
                if (name.equals(item.reference())) {
                    Flow whole = wholeRow(item.relation());
                    found = Flow.either(found, whole);
                    definite = true;
                }
            }
            if (definite) {
                break;
            }
        }
        if (found == null) {
            // nothing in scope claims the name (a label the analysis spells differently, an output
            // alias where one is allowed): it can only come from the nearest FROM list
            found = new Flow();
            if (nearest != null) {
                for (Item item : nearest.items) {
                    found.operand(wholeRow(item.relation()));
                }
            }
        }
        found.definite = false;
        return found;
    }

    /** The column {@code name} of one relation when unqualified; null when the relation certainly lacks it. */
    private static Flow unqualified(Relation relation, String name) {
        return switch (relation) {
            case BaseTable base -> base.renamed() != null && base.renamed().contains(name)
                    ? definite(Flow.wholeRow(base.table())) : Flow.column(base.table(), name);
            case Derived derived -> derivedColumn(derived, name, false);
            case FunctionRows function -> {
                if (function.names() != null && !function.names().contains(name)) {
                    yield null;
                }
                Flow flow = function.call().copy();
                flow.definite = function.names() != null;
                yield flow;
            }
        };
    }

    /** The column {@code name} of a relation named by its qualifier. */
    private static Flow qualified(Relation relation, String name) {
        return switch (relation) {
            case BaseTable base -> base.renamed() != null && base.renamed().contains(name)
                    ? Flow.wholeRow(base.table()) : Flow.column(base.table(), name);
            case Derived derived -> derivedColumn(derived, name, true);
            case FunctionRows function -> function.call().copy();
        };
    }

    private static Flow definite(Flow flow) {
        flow.definite = true;
        return flow;
    }

    /**
     * A derived relation's column by name: the outputs with that label; a name its column list gives
     * to a position past an entry of unknown width, which may be any output from there on; else what
     * an entry of unknown width may hold under that name. Qualified ({@code x.name}), a name matching
     * nothing counts as any output, since the analysis may label an output differently than the
     * database does (MySQL names expressions by their text).
     */
    private static Flow derivedColumn(Derived derived, String name, boolean qualified) {
        Flow found = null;
        for (OutputColumn output : derived.outputs()) {
            if (!output.expands() && output.label().equals(name)) {
                found = Flow.either(found, Flow.of(output));
            }
        }
        if (found != null) {
            return definite(found);
        }
        List<OutputColumn> outputs = derived.outputs();
        if (derived.unaligned().contains(name)) {
            Flow flow = new Flow();
            for (int i = firstExpanding(outputs); i < outputs.size(); i++) {
                flow.operand(Flow.of(outputs.get(i)));
            }
            return definite(flow);
        }
        for (OutputColumn output : outputs) {
            if (output.expands()) {
                Flow candidate = null;
                for (TableName table : output.starOf()) {
                    candidate = Flow.either(candidate, Flow.column(table, name));
                }
                if (candidate == null) {
                    candidate = new Flow();
                }
                if (!output.sources().isEmpty() || !output.wholeRows().isEmpty()
                        || output.kind() == OutputColumn.Kind.UNKNOWN) {
                    candidate.addSources(output.sources());
                    candidate.addWholeRows(output.wholeRows());
                    candidate.unknown |= output.kind() == OutputColumn.Kind.UNKNOWN;
                    candidate.plain = false;
                }
                found = Flow.either(found, candidate);
            }
        }
        if (found == null && qualified) {
            return wholeRow(derived);
        }
        return found;
    }

    /** Every column of a relation, as one value ({@code row_to_json(x)}, {@code SELECT x FROM ... x}). */
    private static Flow wholeRow(Relation relation) {
        return switch (relation) {
            case BaseTable base -> Flow.wholeRow(base.table());
            case Derived derived -> {
                Flow flow = new Flow();
                for (OutputColumn output : derived.outputs()) {
                    flow.operand(Flow.of(output));
                }
                yield flow;
            }
            case FunctionRows function -> function.call().copy();
        };
    }

    /** {@code *} or {@code t.*} inside an expression ({@code to_jsonb(c.*)}, {@code ROW(c.*)}): whole rows. */
    private Flow allColumns(Table table, Scope scope) {
        Flow flow = new Flow();
        if (table == null || table.getName() == null) {
            for (Scope s = scope; s != null; s = s.parent) {
                if (!s.items.isEmpty()) {
                    for (Item item : starItems(s)) {
                        flow.operand(wholeRow(item.relation()));
                    }
                    break;
                }
            }
            return flow;
        }
        Item item = findReference(table, scope);
        if (item != null) {
            flow.operand(wholeRow(item.relation()));
        } else {
            flow.operand(resolve(identifier(table.getName()), scope));
            flow.unknown = true;
        }
        return flow;
    }

    /** {@code (c).email}: the column of a FROM item when {@code c} names one (else null: a field of a composite value). */
    private Flow fromItemColumn(RowGetExpression rowGet, Scope scope) {
        Expression inner = unwrap(rowGet.getExpression());
        if (inner instanceof Column column && (column.getTable() == null || column.getTable().getName() == null)) {
            Item item = findItem(scope, identifier(column.getColumnName()));
            if (item != null) {
                return qualified(item.relation(), identifier(rowGet.getColumnName()));
            }
        }
        return null;
    }

    /** Visits an expression's nodes, adding what flows in to {@link #target}; subqueries get scopes of their own. */
    private final class Expressions extends ExpressionVisitorAdapter<Void> {

        @Override
        public <S> Void visit(Column column, S context) {
            target.operand(LineageWalker.this.column(column, current));
            return null;
        }

        @Override
        public <S> Void visit(AllColumns allColumns, S context) {
            target.operand(allColumns(null, current));
            return null;
        }

        @Override
        public <S> Void visit(AllTableColumns allTableColumns, S context) {
            target.operand(allColumns(allTableColumns.getTable(), current));
            return null;
        }

        @Override
        public <S> Void visit(FunctionAllColumns functionAllColumns, S context) {
            functionAllColumns.getFunction().accept(this, context);
            return null;
        }

        @Override
        public <S> Void visit(Function function, S context) {
            String name = functionName(function.getMultipartName());
            if (!BuiltinFunctions.argumentOnly(name)) {
                target.unknown = true;
            }
            ExpressionList<?> parameters = function.getParameters();
            boolean countRows = Names.countsRows(function, name);
            if (!countRows && parameters != null) {
                parameters.accept(this, context);
            }
            NamedExpressionList<?> named = function.getNamedParameters();
            if (named != null) {
                named.accept(this, context);
            }
            keep(function.getKeep(), context);
            orderBy(function.getOrderByElements(), context);
            return null;
        }

        @Override
        public <S> Void visit(AnalyticExpression analytic, S context) {
            String name = functionName(List.of(analytic.getName()));
            if (!BuiltinFunctions.argumentOnly(name)) {
                target.unknown = true;
            }
            boolean countRows = name.equals("count") && (analytic.isAllColumns()
                    || analytic.getExpression() instanceof AllColumns && !(analytic.getExpression() instanceof AllTableColumns));
            if (!countRows) {
                accept(analytic.getExpression(), context);
            }
            accept(analytic.getOffset(), context);
            accept(analytic.getDefaultValue(), context);
            accept(analytic.getFilterExpression(), context);
            keep(analytic.getKeep(), context);
            orderBy(analytic.getFuncOrderBy(), context);
            // the window's partitioning and ordering shape each value (a rank is a function of them)
            if (analytic.getPartitionExpressionList() != null) {
                analytic.getPartitionExpressionList().accept(this, context);
            }
            orderBy(analytic.getOrderByElements(), context);
            if (analytic.getWindowName() != null) {
                WindowDefinition window = current.window(analytic.getWindowName());
                if (window != null) {
                    if (window.getPartitionExpressionList() != null) {
                        window.getPartitionExpressionList().accept(this, context);
                    }
                    orderBy(window.getOrderByElements(), context);
                }
            }
            return null;
        }

        @Override
        public <S> Void visit(JsonFunction json, S context) {
            for (JsonKeyValuePair pair : json.getKeyValuePairs()) {
                acceptObject(pair.getKey(), context);
                acceptObject(pair.getValue(), context);
            }
            for (JsonFunctionExpression expression : json.getExpressions()) {
                accept(expression.getExpression(), context);
            }
            return null;
        }

        @Override
        public <S> Void visit(JsonAggregateFunction json, S context) {
            accept(json.getExpression(), context);
            acceptObject(json.getKey(), context);
            acceptObject(json.getValue(), context);
            accept(json.getFilterExpression(), context);
            orderBy(json.getExpressionOrderByElements(), context);
            if (json.getPartitionExpressionList() != null) {
                json.getPartitionExpressionList().accept(this, context);
            }
            orderBy(json.getOrderByElements(), context);
            return null;
        }

        @Override
        public <S> Void visit(TrimFunction trim, S context) {
            accept(trim.getExpression(), context);
            accept(trim.getFromExpression(), context);
            return null;
        }

        @Override
        public <S> Void visit(MemberOfExpression memberOf, S context) {
            accept(memberOf.getLeftExpression(), context);
            accept(memberOf.getRightExpression(), context);
            return null;
        }

        @Override
        public <S> Void visit(TimezoneExpression timezone, S context) {
            accept(timezone.getLeftExpression(), context);
            for (Expression zone : timezone.getTimezoneExpressions()) {
                accept(zone, context);
            }
            return null;
        }

        @Override
        public <S> Void visit(RowGetExpression rowGet, S context) {
            Flow column = fromItemColumn(rowGet, current);
            if (column != null) {
                target.operand(column);
            } else {
                rowGet.getExpression().accept(this, context);
            }
            return null;
        }

        @Override
        public <S> Void visit(NextValExpression nextVal, S context) {
            return null;
        }

        @Override
        public <S> Void visit(ParenthesedSelect subquery, S context) {
            target.operand(subquery(subquery, current));
            return null;
        }

        @Override
        public <S> Void visit(Select subquery, S context) {
            target.operand(subquery(subquery, current));
            return null;
        }

        @Override
        public <S> Void visit(ExistsExpression exists, S context) {
            Expression right = unwrap(exists.getRightExpression());
            if (right instanceof Select select) {
                target.operand(exists(select, current));
            } else {
                accept(right, context);
            }
            return null;
        }

        @Override
        public <S> Void visit(AnyComparisonExpression any, S context) {
            if (any.getSelect() != null) {
                target.operand(subquery(any.getSelect(), current));
            }
            return null;
        }

        private <S> void accept(Expression expression, S context) {
            if (expression != null) {
                expression.accept(this, context);
            }
        }

        private <S> void acceptObject(Object value, S context) {
            if (value instanceof Expression expression) {
                expression.accept(this, context);
            }
        }

        private <S> void keep(KeepExpression keep, S context) {
            if (keep != null) {
                orderBy(keep.getOrderByElements(), context);
            }
        }

        private <S> void orderBy(List<OrderByElement> elements, S context) {
            if (elements != null) {
                for (OrderByElement element : elements) {
                    accept(element.getExpression(), context);
                }
            }
        }
    }

    // ---------------------------------------------------------------- labels

    /**
     * The name the database gives an output column: the alias, else PostgreSQL's choice (the
     * column's or function's name, {@code ?column?} for an operator); MySQL names an unaliased
     * expression by its text.
     */
    private String label(Expression expression, Alias alias) {
        if (alias != null && alias.getName() != null) {
            return identifier(alias.getName());
        }
        Expression unwrapped = unwrap(expression);
        if (dialect == Dialect.MYSQL && !(unwrapped instanceof Column)) {
            return expression.toString();
        }
        String name = figure(unwrapped);
        return name == null ? "?column?" : name;
    }

    /** A name for an output column, and whether it is one PostgreSQL prefers (a column's or a call's) to a fallback. */
    private record Name(String text, boolean strong) {
    }

    /** PostgreSQL's FigureColname, approximately: a name for an expression, or null for {@code ?column?}. */
    private String figure(Expression expression) {
        Name name = nameOf(expression);
        return name == null ? null : name.text();
    }

    private Name nameOf(Expression expression) {
        Expression e = unwrap(expression);
        return switch (e) {
            case Column column -> column.getColumnName() == null ? null : strong(identifier(column.getColumnName()));
            case Function function -> {
                if (function.getAttribute() != null && function.getAttributeName() != null) {
                    yield strong(identifier(function.getAttributeName()));
                }
                List<String> parts = function.getMultipartName();
                yield parts == null || parts.isEmpty() ? null : strong(lastPart(functionName(parts)));
            }
            case AnalyticExpression analytic -> strong(lastPart(functionName(List.of(analytic.getName()))));
            case CastExpression cast -> {
                // a cast keeps its operand's name; else it is named after the type, as a fallback
                Name inner = nameOf(cast.getLeftExpression());
                if (inner != null && inner.strong()) {
                    yield inner;
                }
                String type = typeName(cast);
                yield type == null ? inner : new Name(type, false);
            }
            case CaseExpression caseExpression -> {
                Name otherwise = caseExpression.getElseExpression() == null ? null
                        : nameOf(caseExpression.getElseExpression());
                yield otherwise != null && otherwise.strong() ? otherwise : new Name("case", false);
            }
            case CollateExpression collate -> nameOf(collate.getLeftExpression());
            case ArrayExpression array -> nameOf(array.getObjExpression());
            case RowGetExpression rowGet -> strong(identifier(rowGet.getColumnName()));
            case ParenthesedSelect subquery -> subquery.getSelect() instanceof PlainSelect plain
                    && plain.getSelectItems().size() == 1 ? itemName(plain.getSelectItems().get(0)) : null;
            case ExistsExpression ignored -> strong("exists");
            case ArrayConstructor ignored -> strong("array");
            case RowConstructor<?> ignored -> strong("row");
            case JsonFunction json -> strong(json.getType() == JsonFunctionType.ARRAY ? "json_array" : "json_object");
            case JsonAggregateFunction json ->
                    strong(json.getType() == JsonFunctionType.ARRAY ? "json_arrayagg" : "json_objectagg");
            case TimeKeyExpression time -> strong(Tokens.asciiLowerCase(time.getStringValue()));
            case ExtractExpression ignored -> strong("extract");
            case NextValExpression ignored -> strong("nextval");
            case TrimFunction trim -> strong(trim.getTrimSpecification() == null ? "btrim"
                    : switch (trim.getTrimSpecification()) {
                        case LEADING -> "ltrim";
                        case TRAILING -> "rtrim";
                        default -> "btrim";
                    });
            case MySQLGroupConcat ignored -> strong("group_concat");
            default -> null;
        };
    }

    private static Name strong(String text) {
        return new Name(text, true);
    }

    /** A subquery's only output names the subquery's value (PostgreSQL does so for a scalar subquery). */
    private Name itemName(SelectItem<?> item) {
        if (item.getAlias() != null && item.getAlias().getName() != null) {
            return strong(identifier(item.getAlias().getName()));
        }
        return nameOf(item.getExpression());
    }

    private static String typeName(CastExpression cast) {
        if (cast.getColDataType() == null || cast.getColDataType().getDataType() == null) {
            return null;
        }
        String type = Tokens.asciiLowerCase(cast.getColDataType().getDataType()).replaceAll("\\s*\\(.*$", "").strip();
        String known = PG_TYPE_NAMES.get(type);
        return lastPart(known != null ? known : type);
    }

    private static String lastPart(String dotted) {
        int dot = dotted.lastIndexOf('.');
        return dot < 0 ? dotted : dotted.substring(dot + 1);
    }

    // ---------------------------------------------------------------- names

    private TableName tableName(Table table) {
        return names.tableName(table);
    }

    private String identifier(String raw) {
        return names.identifier(raw);
    }

    private String functionName(List<String> parts) {
        return names.functionName(parts);
    }
}
