package dev.parapet.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects what the classifier and the parse-tree walker learn about one statement and turns it
 * into a {@link StatementInfo}, folding carried statements into the outer one's sets.
 */
final class InfoBuilder {

    StatementKind kind;
    String objectType = "";
    WhereClause where = WhereClause.NOT_APPLICABLE;
    boolean innerExecutes = true;
    private final Set<TableName> read = new LinkedHashSet<>();
    private final Set<TableName> written = new LinkedHashSet<>();
    private final Map<TableName, Set<String>> columns = new LinkedHashMap<>();
    private final Set<String> functions = new LinkedHashSet<>();
    private final Set<ServerAccess> access = EnumSet.noneOf(ServerAccess.class);
    private final List<StatementInfo> inner = new ArrayList<>();
    private List<OutputColumn> outputs = List.of();
    private final Set<ColumnRef> predicates = new LinkedHashSet<>();
    private final List<OutputColumn> writtenValues = new ArrayList<>();

    InfoBuilder(StatementKind kind) {
        this.kind = kind;
    }

    InfoBuilder read(TableName table) {
        read.add(table);
        return this;
    }

    InfoBuilder written(TableName table) {
        written.add(table);
        return this;
    }

    InfoBuilder column(TableName table, String column) {
        columns.computeIfAbsent(table, t -> new LinkedHashSet<>()).add(column);
        return this;
    }

    InfoBuilder function(String name) {
        functions.add(name);
        return this;
    }

    InfoBuilder access(ServerAccess serverAccess) {
        access.add(serverAccess);
        return this;
    }

    InfoBuilder inner(StatementInfo statement) {
        inner.add(statement);
        return this;
    }

    /** The columns of the rows the statement returns. */
    InfoBuilder outputs(List<OutputColumn> columns) {
        outputs = List.copyOf(columns);
        return this;
    }

    /** Values the statement writes into tables. */
    InfoBuilder writtenValues(List<OutputColumn> values) {
        writtenValues.addAll(values);
        return this;
    }

    InfoBuilder predicates(Set<ColumnRef> columns) {
        predicates.addAll(columns);
        return this;
    }

    /** Adds the tables, columns and functions of {@code other} as this statement's own (an expression analysed apart). */
    InfoBuilder absorb(StatementInfo other) {
        read.addAll(other.tablesRead());
        written.addAll(other.tablesWritten());
        other.columns().forEach((table, names) -> names.forEach(name -> column(table, name)));
        functions.addAll(other.functions());
        access.addAll(other.serverAccess());
        inner.addAll(other.inner());
        predicates.addAll(other.predicateColumns());
        writtenValues.addAll(other.writtenValues());
        return this;
    }

    Set<TableName> writtenSoFar() {
        return written;
    }

    Set<TableName> readSoFar() {
        return read;
    }

    /** Functions that read or write files on the database server's host (MySQL's LOAD_FILE, PostgreSQL's file functions). */
    private static final Map<String, ServerAccess> FILE_FUNCTIONS = Map.of(
            "load_file", ServerAccess.READS_FILE,
            "pg_read_file", ServerAccess.READS_FILE,
            "pg_read_binary_file", ServerAccess.READS_FILE,
            "pg_stat_file", ServerAccess.READS_FILE,
            "pg_ls_dir", ServerAccess.READS_FILE,
            "lo_import", ServerAccess.READS_FILE,
            "lo_export", ServerAccess.WRITES_FILE);

    StatementInfo build() {
        Set<TableName> allRead = new LinkedHashSet<>(read);
        Set<TableName> allWritten = new LinkedHashSet<>(written);
        Map<TableName, Set<String>> allColumns = new LinkedHashMap<>();
        columns.forEach((table, names) -> allColumns.put(table, new LinkedHashSet<>(names)));
        Set<String> allFunctions = new LinkedHashSet<>(functions);
        Set<ServerAccess> allAccess = EnumSet.noneOf(ServerAccess.class);
        allAccess.addAll(access);
        Set<ColumnRef> allPredicates = new LinkedHashSet<>(predicates);
        for (StatementInfo statement : inner) {
            allPredicates.addAll(statement.predicateColumns()); // even unexecuted: EXPLAIN's estimates answer them too
            allRead.addAll(statement.tablesRead());
            if (innerExecutes) {
                allWritten.addAll(statement.tablesWritten());
                allAccess.addAll(statement.serverAccess());
            } else {
                allRead.addAll(statement.tablesWritten());
            }
            statement.columns().forEach((table, names) ->
                    allColumns.computeIfAbsent(table, t -> new LinkedHashSet<>()).addAll(names));
            allFunctions.addAll(statement.functions());
        }
        for (String function : allFunctions) {
            ServerAccess reached = FILE_FUNCTIONS.get(function.substring(function.lastIndexOf('.') + 1));
            if (reached != null) {
                allAccess.add(reached);
            }
        }
        return new StatementInfo(kind, objectType, allRead, allWritten, allColumns, where, allFunctions, allAccess,
                inner, innerExecutes, outputs, allPredicates, writtenValues);
    }
}
