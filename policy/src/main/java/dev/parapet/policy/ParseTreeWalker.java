package dev.parapet.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnyComparisonExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.KeepExpression;
import net.sf.jsqlparser.expression.NextValExpression;
import net.sf.jsqlparser.expression.WindowDefinition;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.IsDistinctExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
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
import net.sf.jsqlparser.statement.select.Fetch;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Join;
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
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Walks a JSqlParser tree of a query or DML statement and records what it reads, writes, references
 * and calls. It keeps its own scopes (CTE names, table aliases, derived tables) so that a CTE name
 * is not taken for a table, an alias resolves to its table, and a data-modifying CTE becomes an
 * inner statement with its own kind and WHERE. Anything it does not know how to walk makes the
 * statement unreadable rather than silently smaller.
 */
final class ParseTreeWalker {

    /** Words JSqlParser may hand over as columns that name no column. */
    private static final Set<String> PSEUDO_COLUMNS = Set.of(
            "true", "false", "null", "unknown", "default", "current_date", "current_time", "current_timestamp",
            "localtime", "localtimestamp", "current_user", "session_user", "user", "current_role",
            "current_schema", "current_catalog", "sysdate", "utc_date", "utc_time", "utc_timestamp");

    /** Constructs JSqlParser reads as function calls that call no function. */
    private static final Set<String> SYNTAX_FUNCTIONS = Set.of("any", "all", "some", "rollup", "cube", "grouping sets");

    /** One level of name visibility: a SELECT's FROM list, a DML statement's target and sources. */
    private static final class Scope {
        final Scope parent;
        final Set<String> ctes = new HashSet<>();
        final Map<String, TableName> tablesByReference = new HashMap<>();
        final Set<String> derivedReferences = new HashSet<>();
        final List<TableName> tables = new ArrayList<>();
        boolean hasSources;

        Scope(Scope parent) {
            this.parent = parent;
        }

        boolean isCte(String name) {
            for (Scope scope = this; scope != null; scope = scope.parent) {
                if (scope.ctes.contains(name)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Dialect dialect;
    private final Names names;
    private final InfoBuilder info;
    private final Expressions expressions = new Expressions();
    private Scope current;
    private int columnsSeen;
    private boolean createsTable;
    private final Set<String> cteNames = new HashSet<>();

    private ParseTreeWalker(Dialect dialect, InfoBuilder info) {
        this.dialect = dialect;
        this.names = new Names(dialect);
        this.info = info;
    }

    /** What {@code statement} does; {@code whereCurrentOf} when the rendering removed a WHERE CURRENT OF. */
    static InfoBuilder walk(Dialect dialect, Statement statement, boolean whereCurrentOf) {
        ParseTreeWalker walker = new ParseTreeWalker(dialect, new InfoBuilder(StatementKind.SELECT));
        walker.statement(statement, null, whereCurrentOf);
        walker.crossCheckTables(statement);
        return walker.info;
    }

    /**
     * Defence in depth: JSqlParser's own table finder walks the tree differently; a table it finds
     * that this walker did not (and that is not a CTE) is counted as read rather than missed.
     */
    private void crossCheckTables(Statement statement) {
        Set<String> found;
        try {
            found = new TablesNamesFinder<Void>().getTables(statement);
        } catch (RuntimeException e) {
            return; // it does not support every statement; this walker has already read it
        }
        Set<TableName> known = new HashSet<>(info.readSoFar());
        known.addAll(info.writtenSoFar());
        for (String qualified : found) {
            TableName name = parseQualified(qualified);
            if (name != null && !known.contains(name) && !(name.schema().isEmpty() && cteNames.contains(name.name()))) {
                info.read(name);
            }
        }
    }

    /** "a", "a.b", "c.a.b", with quoted parts, as JSqlParser prints a table. */
    private TableName parseQualified(String qualified) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < qualified.length(); i++) {
            char c = qualified.charAt(i);
            if (quote != 0) {
                part.append(c);
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '`') {
                quote = c;
                part.append(c);
            } else if (c == '.') {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        if (parts.stream().anyMatch(String::isEmpty)) {
            return null;
        }
        String name = identifier(parts.get(parts.size() - 1));
        String schema = parts.size() >= 2 ? identifier(parts.get(parts.size() - 2)) : "";
        return new TableName(schema, name);
    }

    // ---------------------------------------------------------------- statements

    private void statement(Statement statement, Scope parent, boolean whereCurrentOf) {
        switch (statement) {
            case ParenthesedInsert parenthesed -> statement(parenthesed.getInsert(), parent, whereCurrentOf);
            case ParenthesedUpdate parenthesed -> statement(parenthesed.getUpdate(), parent, whereCurrentOf);
            case ParenthesedDelete parenthesed -> statement(parenthesed.getDelete(), parent, whereCurrentOf);
            case Select select -> {
                info.kind = StatementKind.SELECT;
                select(select, parent);
                if (createsTable) {
                    info.kind = StatementKind.CREATE;
                    info.objectType = "table";
                }
            }
            case Insert insert -> {
                info.kind = StatementKind.INSERT;
                insert(insert, parent);
            }
            case Upsert upsert -> {
                info.kind = StatementKind.INSERT;
                upsert(upsert, parent);
            }
            case Update update -> {
                info.kind = StatementKind.UPDATE;
                update(update, parent);
                info.where = whereClause(update.getWhere(), whereCurrentOf);
            }
            case Delete delete -> {
                info.kind = StatementKind.DELETE;
                delete(delete, parent);
                info.where = whereClause(delete.getWhere(), whereCurrentOf);
            }
            case Merge merge -> {
                info.kind = StatementKind.MERGE;
                merge(merge, parent);
            }
            default -> throw new UnreadableStatementException(
                    "the statement was read as " + statement.getClass().getSimpleName() + ", which is not analysed here");
        }
    }

    private void insert(Insert insert, Scope parent) {
        Scope scope = new Scope(parent);
        withItems(insert.getWithItemsList(), scope);
        TableName target = tableName(insert.getTable());
        info.written(target);
        if (insert.getColumns() != null) {
            for (Column column : insert.getColumns()) {
                info.column(target, identifier(column.getColumnName()));
            }
        }
        if (insert.getSelect() != null) {
            select(insert.getSelect(), scope);
        }
        Scope targetScope = new Scope(scope);
        register(targetScope, insert.getTable(), target);
        updateSets(insert.getSetUpdateSets(), target, targetScope);
        if (insert.getDuplicateUpdateSets() != null && !insert.getDuplicateUpdateSets().isEmpty()) {
            info.read(target);
            updateSets(insert.getDuplicateUpdateSets(), target, targetScope);
        }
        InsertConflictTarget conflictTarget = insert.getConflictTarget();
        if (conflictTarget != null) {
            if (conflictTarget.getIndexColumnNames() != null) {
                for (String column : conflictTarget.getIndexColumnNames()) {
                    info.column(target, identifier(column));
                }
            }
            expression(conflictTarget.getIndexExpression(), targetScope);
            expression(conflictTarget.getWhereExpression(), targetScope);
        }
        InsertConflictAction action = insert.getConflictAction();
        if (action != null && action.getUpdateSets() != null && !action.getUpdateSets().isEmpty()) {
            info.read(target);
            updateSets(action.getUpdateSets(), target, targetScope);
            expression(action.getWhereExpression(), targetScope);
        }
        returning(insert.getReturningClause(), target, targetScope);
        if (insert.getOutputClause() != null) {
            throw new UnreadableStatementException("OUTPUT clauses are not analysed");
        }
    }

    private void upsert(Upsert upsert, Scope parent) {
        Scope scope = new Scope(parent);
        TableName target = tableName(upsert.getTable());
        info.written(target);
        if (upsert.getColumns() != null) {
            for (Column column : upsert.getColumns()) {
                info.column(target, identifier(column.getColumnName()));
            }
        }
        if (upsert.getSelect() != null) {
            select(upsert.getSelect(), scope);
        }
        Scope targetScope = new Scope(scope);
        register(targetScope, upsert.getTable(), target);
        updateSets(upsert.getUpdateSets(), target, targetScope);
        if (upsert.getDuplicateUpdateSets() != null && !upsert.getDuplicateUpdateSets().isEmpty()) {
            info.read(target);
            updateSets(upsert.getDuplicateUpdateSets(), target, targetScope);
        }
    }

    private void update(Update update, Scope parent) {
        Scope scope = new Scope(parent);
        withItems(update.getWithItemsList(), scope);
        TableName target = fromTable(update.getTable(), scope);
        if (target == null) {
            throw new UnreadableStatementException("an UPDATE of a CTE is not analysed");
        }
        info.written(target);
        if (update.getStartJoins() != null) {
            // MySQL: UPDATE a JOIN b ... SET: any table of the list can be assigned to
            for (Join join : update.getStartJoins()) {
                FromItem item = join.getRightItem();
                fromItem(item, scope);
                if (item instanceof Table table) {
                    TableName name = tableName(table);
                    if (!scope.isCte(name.name())) {
                        info.written(name);
                    }
                }
                joinConditions(join, scope);
            }
        }
        if (update.getFromItem() != null) {
            fromItem(update.getFromItem(), scope);
        }
        joins(update.getJoins(), scope);
        updateSets(update.getUpdateSets(), target, scope);
        expression(update.getWhere(), scope);
        orderBy(update.getOrderByElements(), scope);
        limit(update.getLimit(), scope);
        returning(update.getReturningClause(), target, scope);
        if (update.getOutputClause() != null) {
            throw new UnreadableStatementException("OUTPUT clauses are not analysed");
        }
    }

    private void delete(Delete delete, Scope parent) {
        Scope scope = new Scope(parent);
        withItems(delete.getWithItemsList(), scope);
        TableName target = delete.getTable() == null ? null : fromTable(delete.getTable(), scope);
        if (delete.getUsingList() != null) {
            for (Table table : delete.getUsingList()) {
                fromTable(table, scope);
            }
        }
        joins(delete.getJoins(), scope);
        if (delete.getTables() != null && !delete.getTables().isEmpty()) {
            // MySQL: DELETE a, b FROM a JOIN b ...: the listed names (often aliases) are the targets
            for (Table table : delete.getTables()) {
                TableName named = resolveTableReference(table, scope);
                info.written(named);
                info.read(named);
            }
        } else if (target != null) {
            info.written(target);
        } else {
            throw new UnreadableStatementException("a DELETE without a table it deletes from is not analysed");
        }
        expression(delete.getWhere(), scope);
        orderBy(delete.getOrderByElements(), scope);
        limit(delete.getLimit(), scope);
        returning(delete.getReturningClause(), target, scope);
        if (delete.getOutputClause() != null) {
            throw new UnreadableStatementException("OUTPUT clauses are not analysed");
        }
    }

    private void merge(Merge merge, Scope parent) {
        Scope scope = new Scope(parent);
        withItems(merge.getWithItemsList(), scope);
        TableName target = fromTable(merge.getTable(), scope);
        if (target == null) {
            throw new UnreadableStatementException("a MERGE into a CTE is not analysed");
        }
        info.written(target);
        if (merge.getFromItem() != null) {
            fromItem(merge.getFromItem(), scope);
        }
        expression(merge.getOnCondition(), scope);
        if (merge.getOperations() != null) {
            for (MergeOperation operation : merge.getOperations()) {
                switch (operation) {
                    case MergeUpdate update -> {
                        expression(update.getAndPredicate(), scope);
                        updateSets(update.getUpdateSets(), target, scope);
                        expression(update.getWhereCondition(), scope);
                        expression(update.getDeleteWhereCondition(), scope);
                    }
                    case MergeInsert insert -> {
                        expression(insert.getAndPredicate(), scope);
                        if (insert.getColumns() != null) {
                            for (Column column : insert.getColumns()) {
                                info.column(target, identifier(column.getColumnName()));
                            }
                        }
                        expression(insert.getValues(), scope);
                        expression(insert.getWhereCondition(), scope);
                    }
                    case MergeDelete mergeDelete -> expression(mergeDelete.getAndPredicate(), scope);
                    default -> throw new UnreadableStatementException(
                            "a MERGE action " + operation.getClass().getSimpleName() + " is not analysed");
                }
            }
        }
        if (merge.getOutputClause() != null) {
            throw new UnreadableStatementException("OUTPUT clauses are not analysed");
        }
    }

    private void updateSets(List<UpdateSet> sets, TableName target, Scope scope) {
        if (sets == null) {
            return;
        }
        for (UpdateSet set : sets) {
            for (Column column : set.getColumns()) {
                if (column.getTable() == null || column.getTable().getName() == null) {
                    info.column(target, identifier(column.getColumnName()));
                } else {
                    expression(column, scope);
                }
            }
            expression(set.getValues(), scope);
        }
    }

    private void returning(ReturningClause returning, TableName target, Scope scope) {
        if (returning == null || returning.isEmpty()) {
            return;
        }
        if (target != null) {
            info.read(target);
        }
        for (SelectItem<?> item : returning) {
            expression(item.getExpression(), scope);
        }
    }

    // ---------------------------------------------------------------- queries

    private void select(Select select, Scope parent) {
        Scope scope = new Scope(parent);
        withItems(select.getWithItemsList(), scope);
        switch (select) {
            case PlainSelect plain -> plainSelect(plain, scope);
            case SetOperationList setOperations -> {
                for (Select branch : setOperations.getSelects()) {
                    select(branch, scope);
                }
                scope.hasSources = true; // ORDER BY of a UNION names output columns, not outer tables
            }
            case ParenthesedSelect parenthesed -> select(parenthesed.getSelect(), scope);
            case Values values -> expression(values.getExpressions(), scope);
            case TableStatement table -> {
                TableName name = fromTable(table.getTable(), scope);
                if (name != null) {
                    info.column(name, "*");
                }
            }
            default -> throw new UnreadableStatementException(
                    "a query read as " + select.getClass().getSimpleName() + " is not analysed");
        }
        orderBy(select.getOrderByElements(), scope);
        limit(select.getLimit(), scope);
        limit(select.getLimitBy(), scope);
        Offset offset = select.getOffset();
        if (offset != null) {
            expression(offset.getOffset(), scope);
        }
        Fetch fetch = select.getFetch();
        if (fetch != null) {
            expression(fetch.getExpression(), scope);
        }
        if (select.getForMode() != null) {
            // FOR UPDATE / SHARE locks the rows read: a LOCK that runs with the query (PostgreSQL
            // refuses it in a read-only transaction, as it refuses LOCK TABLE)
            InfoBuilder lock = new InfoBuilder(StatementKind.LOCK);
            lock.objectType = "rows";
            scope.tables.forEach(lock::read);
            info.inner(lock.build());
        }
    }

    private void plainSelect(PlainSelect select, Scope scope) {
        if (select.getFromItem() != null) {
            fromItem(select.getFromItem(), scope);
        }
        joins(select.getJoins(), scope);
        if (select.getIntoTables() != null) {
            for (Table table : select.getIntoTables()) {
                info.written(tableName(table));
                createsTable = true;
            }
        }
        if (select.getDistinct() != null && select.getDistinct().getOnSelectItems() != null) {
            for (SelectItem<?> item : select.getDistinct().getOnSelectItems()) {
                expression(item.getExpression(), scope);
            }
        }
        for (SelectItem<?> item : select.getSelectItems()) {
            expression(item.getExpression(), scope);
        }
        expression(select.getWhere(), scope);
        GroupByElement groupBy = select.getGroupBy();
        if (groupBy != null) {
            expression(groupBy.getGroupByExpressionList(), scope);
            if (groupBy.getGroupingSets() != null) {
                for (ExpressionList<?> set : groupBy.getGroupingSets()) {
                    expression(set, scope);
                }
            }
        }
        expression(select.getHaving(), scope);
        expression(select.getQualify(), scope);
        if (select.getWindowDefinitions() != null) {
            for (WindowDefinition window : select.getWindowDefinitions()) {
                expression(window.getPartitionExpressionList(), scope);
                orderBy(window.getOrderByElements(), scope);
            }
        }
        if (select.getOracleHierarchical() != null || select.getLateralViews() != null
                || select.getIntoTempTable() != null) {
            throw new UnreadableStatementException("hierarchical queries, lateral views and INTO TEMP are not analysed");
        }
    }

    private void withItems(List<WithItem<?>> items, Scope scope) {
        if (items == null) {
            return;
        }
        for (WithItem<?> item : items) {
            String name = identifier(item.getAliasName());
            scope.ctes.add(name);
            cteNames.add(name);
            Object body = item.getParenthesedStatement();
            switch (body) {
                case ParenthesedSelect select -> select(select, scope);
                case ParenthesedInsert insert -> innerStatement(insert.getInsert(), scope);
                case ParenthesedUpdate update -> innerStatement(update.getUpdate(), scope);
                case ParenthesedDelete delete -> innerStatement(delete.getDelete(), scope);
                case null, default -> throw new UnreadableStatementException(
                        "the CTE " + name + " holds a statement that is not analysed");
            }
        }
    }

    /** A data-modifying CTE: a statement of its own (with its own kind and WHERE), which runs. */
    private void innerStatement(Statement dml, Scope scope) {
        ParseTreeWalker inner = new ParseTreeWalker(dialect, new InfoBuilder(StatementKind.OTHER));
        inner.statement(dml, scope, false);
        info.inner(inner.info.build());
    }

    private void fromItem(FromItem item, Scope scope) {
        scope.hasSources = true;
        switch (item) {
            case Table table -> fromTable(table, scope);
            case ParenthesedSelect subquery -> {
                derived(scope, subquery.getAlias() == null ? null : subquery.getAlias().getName());
                select(subquery, scope);
            }
            case TableFunction function -> {
                derived(scope, function.getAlias() == null ? null : function.getAlias().getName());
                expression(function.getFunction(), scope);
            }
            case ParenthesedFromItem parenthesed -> {
                fromItem(parenthesed.getFromItem(), scope);
                joins(parenthesed.getJoins(), scope);
                if (parenthesed.getAlias() != null) {
                    derived(scope, parenthesed.getAlias().getName());
                }
            }
            case Values values -> {
                derived(scope, values.getAlias() == null ? null : values.getAlias().getName());
                expression(values.getExpressions(), scope);
            }
            case Select select -> select(select, scope);
            default -> throw new UnreadableStatementException(
                    "a FROM item read as " + item.getClass().getSimpleName() + " is not analysed");
        }
    }

    private void derived(Scope scope, String alias) {
        if (alias != null) {
            scope.derivedReferences.add(identifier(alias));
        }
    }

    private void joins(List<Join> joins, Scope scope) {
        if (joins == null) {
            return;
        }
        for (Join join : joins) {
            fromItem(join.getRightItem(), scope);
            joinConditions(join, scope);
        }
    }

    private void joinConditions(Join join, Scope scope) {
        if (join.getOnExpressions() != null) {
            for (Expression on : join.getOnExpressions()) {
                expression(on, scope);
            }
        }
        if (join.getUsingColumns() != null) {
            for (Column column : join.getUsingColumns()) {
                expression(column, scope);
            }
        }
    }

    /** Registers a table of a FROM list; returns its name, or null when it names a CTE. */
    private TableName fromTable(Table table, Scope scope) {
        scope.hasSources = true;
        TableName name = tableName(table);
        if (!name.qualified() && scope.isCte(name.name())) {
            derived(scope, table.getAlias() == null ? name.name() : table.getAlias().getName());
            return null;
        }
        info.read(name);
        register(scope, table, name);
        return name;
    }

    private void register(Scope scope, Table table, TableName name) {
        scope.hasSources = true;
        scope.tables.add(name);
        if (table.getAlias() != null) {
            scope.tablesByReference.put(identifier(table.getAlias().getName()), name);
            if (table.getAlias().getAliasColumns() != null && !table.getAlias().getAliasColumns().isEmpty()) {
                // FROM t AS x(a, b) renames the columns: the names used later say nothing about which they are
                info.column(name, "*");
                info.column(name, StatementInfo.WHOLE_ROW);
            }
        } else {
            scope.tablesByReference.put(name.name(), name);
            if (name.qualified()) {
                scope.tablesByReference.put(name.toString(), name);
            }
        }
    }

    private TableName resolveTableReference(Table table, Scope scope) {
        TableName written = tableName(table);
        for (Scope s = scope; s != null; s = s.parent) {
            TableName found = s.tablesByReference.get(written.toString());
            if (found != null) {
                return found;
            }
        }
        return written;
    }

    private void orderBy(List<OrderByElement> elements, Scope scope) {
        if (elements != null) {
            for (OrderByElement element : elements) {
                expression(element.getExpression(), scope);
            }
        }
    }

    private void limit(Limit limit, Scope scope) {
        if (limit != null) {
            expression(limit.getRowCount(), scope);
            expression(limit.getOffset(), scope);
        }
    }

    // ---------------------------------------------------------------- expressions

    private void expression(Expression expression, Scope scope) {
        if (expression == null) {
            return;
        }
        Scope saved = current;
        current = scope;
        try {
            expression.accept(expressions, null);
        } finally {
            current = saved;
        }
    }

    private void column(Column column) {
        String name = identifier(column.getColumnName());
        Table table = column.getTable();
        if (table == null || table.getName() == null) {
            if (isPseudoColumn(column.getColumnName())) {
                return;
            }
            columnsSeen++;
            wholeRowReference(name);
            for (Scope scope = current; scope != null; scope = scope.parent) {
                if (scope.hasSources) {
                    for (TableName candidate : scope.tables) {
                        info.column(candidate, name);
                    }
                    return;
                }
            }
            return;
        }
        columnsSeen++;
        TableName qualifier = tableName(table);
        String reference = qualifier.toString();
        for (Scope scope = current; scope != null; scope = scope.parent) {
            TableName found = scope.tablesByReference.get(reference);
            if (found != null) {
                info.column(found, name);
                return;
            }
            if (scope.derivedReferences.contains(reference)) {
                return;
            }
        }
        // an unknown qualifier: EXCLUDED, NEW/OLD in rules, a field of a composite value
    }

    /**
     * A bare name that also names a table in scope may be a whole-row reference
     * ({@code row_to_json(c)}, {@code SELECT c FROM t c}, {@code (c).col}): every column of it.
     */
    private void wholeRowReference(String name) {
        for (Scope scope = current; scope != null; scope = scope.parent) {
            TableName found = scope.tablesByReference.get(name);
            if (found != null) {
                info.column(found, "*");
                info.column(found, StatementInfo.WHOLE_ROW);
                return;
            }
        }
    }

    private boolean isPseudoColumn(String raw) {
        return raw != null && !raw.startsWith("\"") && !raw.startsWith("`")
                && PSEUDO_COLUMNS.contains(Tokens.asciiLowerCase(raw));
    }

    private void allColumns(Table table) {
        if (table == null) {
            for (Scope scope = current; scope != null; scope = scope.parent) {
                if (scope.hasSources) {
                    for (TableName candidate : scope.tables) {
                        info.column(candidate, "*");
                    }
                    return;
                }
            }
            return;
        }
        String reference = tableName(table).toString();
        for (Scope scope = current; scope != null; scope = scope.parent) {
            TableName found = scope.tablesByReference.get(reference);
            if (found != null) {
                info.column(found, "*");
                return;
            }
            if (scope.derivedReferences.contains(reference)) {
                return;
            }
        }
    }

    /** Visits every expression node; records columns, functions, and walks subqueries in a child scope. */
    private final class Expressions extends ExpressionVisitorAdapter<Void> {

        @Override
        public <S> Void visit(Column column, S context) {
            ParseTreeWalker.this.column(column);
            return null;
        }

        @Override
        public <S> Void visit(AllColumns allColumns, S context) {
            ParseTreeWalker.this.allColumns(null);
            return null;
        }

        @Override
        public <S> Void visit(AllTableColumns allTableColumns, S context) {
            ParseTreeWalker.this.allColumns(allTableColumns.getTable());
            return null;
        }

        @Override
        public <S> Void visit(Function function, S context) {
            String name = functionName(function.getMultipartName());
            if (!SYNTAX_FUNCTIONS.contains(name)) {
                info.function(name);
            }
            ExpressionList<?> parameters = function.getParameters();
            boolean countStar = Names.countsRows(function, name);
            if (!countStar && parameters != null) {
                parameters.accept(this, context);
            }
            NamedExpressionList<?> named = function.getNamedParameters();
            if (named != null) {
                named.accept(this, context);
            }
            KeepExpression keep = function.getKeep();
            if (keep != null) {
                orderBy(keep.getOrderByElements(), current);
            }
            orderBy(function.getOrderByElements(), current);
            return null;
        }

        @Override
        public <S> Void visit(AnalyticExpression analytic, S context) {
            info.function(functionName(List.of(analytic.getName())));
            super.visit(analytic, context);
            if (analytic.getFilterExpression() != null) {
                analytic.getFilterExpression().accept(this, context);
            }
            if (analytic.getPartitionExpressionList() != null) {
                analytic.getPartitionExpressionList().accept(this, context);
            }
            orderBy(analytic.getOrderByElements(), current);
            return null;
        }

        @Override
        public <S> Void visit(NextValExpression nextVal, S context) {
            info.function("nextval");
            return null;
        }

        @Override
        public <S> Void visit(ParenthesedSelect subquery, S context) {
            select(subquery, current);
            return null;
        }

        @Override
        public <S> Void visit(Select subquery, S context) {
            select(subquery, current);
            return null;
        }

        @Override
        public <S> Void visit(AnyComparisonExpression any, S context) {
            if (any.getSelect() != null) {
                select(any.getSelect(), current);
            }
            return null;
        }
    }

    // ---------------------------------------------------------------- WHERE

    /**
     * What an UPDATE's or DELETE's WHERE restricts. Only the shape of the condition is looked at,
     * never literal values, so the answer is the same for every statement of one fingerprint:
     * {@code WHERE 1=1} and {@code WHERE 1=2} are both TRIVIAL (neither depends on the row), while
     * {@code WHERE id=1} is PRESENT.
     */
    private WhereClause whereClause(Expression where, boolean whereCurrentOf) {
        if (whereCurrentOf) {
            return WhereClause.PRESENT;
        }
        if (where == null) {
            return WhereClause.NONE;
        }
        return trivial(where) ? WhereClause.TRIVIAL : WhereClause.PRESENT;
    }

    private boolean trivial(Expression expression) {
        Expression e = unwrap(expression);
        if (e instanceof OrExpression or) {
            return trivial(or.getLeftExpression()) || trivial(or.getRightExpression());
        }
        if (e instanceof AndExpression and) {
            return trivial(and.getLeftExpression()) && trivial(and.getRightExpression());
        }
        if (!referencesRow(e)) {
            return true;
        }
        boolean reflexive = e instanceof EqualsTo || e instanceof GreaterThanEquals || e instanceof MinorThanEquals
                || (e instanceof IsDistinctExpression distinct && distinct.isNot());
        if (reflexive) {
            var binary = (net.sf.jsqlparser.expression.BinaryExpression) e;
            return unwrap(binary.getLeftExpression()).toString().equals(unwrap(binary.getRightExpression()).toString());
        }
        return false;
    }

    private static Expression unwrap(Expression expression) {
        Expression e = expression;
        while (true) {
            if (e instanceof ParenthesedExpressionList<?> list && list.size() == 1) {
                e = list.get(0);
            } else {
                return e;
            }
        }
    }

    /** Whether the expression mentions any column, anywhere (subqueries included). */
    private boolean referencesRow(Expression expression) {
        ParseTreeWalker probe = new ParseTreeWalker(dialect, new InfoBuilder(StatementKind.SELECT));
        probe.expression(expression, new Scope(null));
        return probe.columnsSeen > 0;
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
