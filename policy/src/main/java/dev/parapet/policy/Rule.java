package dev.parapet.policy;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A guardrail rule: given a statement that falls in its scope, either nothing to say or a verdict
 * (deny, or require approval). Each kind of rule a DBA expects is one record; a rule looks at every
 * statement that runs, including those carried inside another (EXPLAIN ANALYZE, PREPARE, COPY's
 * query, a data-modifying CTE), so wrapping a statement does not get it past a rule.
 */
public sealed interface Rule {

    String id();

    String description();

    RuleScope scope();

    /** The verdict on an analysed statement string, if the rule has one. */
    Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal);

    /** The statement kinds that change data, definitions, privileges or the server. */
    Set<StatementKind> WRITES = EnumSet.of(StatementKind.INSERT, StatementKind.UPDATE, StatementKind.DELETE,
            StatementKind.MERGE, StatementKind.CREATE, StatementKind.ALTER, StatementKind.DROP, StatementKind.TRUNCATE,
            StatementKind.COMMENT, StatementKind.GRANT, StatementKind.REVOKE, StatementKind.COPY, StatementKind.LOAD,
            StatementKind.CALL, StatementKind.EXECUTE, StatementKind.DO, StatementKind.CREATE_FUNCTION,
            StatementKind.VACUUM, StatementKind.ANALYZE, StatementKind.CLUSTER, StatementKind.REINDEX,
            StatementKind.REFRESH, StatementKind.LOCK, StatementKind.ALTER_SYSTEM, StatementKind.SET_ROLE,
            StatementKind.NOTIFY, StatementKind.OTHER);

    /**
     * Built-in functions that change something although a plain SELECT calls them: sequences,
     * settings (set_config can set the role), advisory locks, large objects, other sessions,
     * notifications, the server's configuration, logs, WAL, backups, replication slots and
     * statistics, index upkeep, adminpack's file writes, and dblink (which runs any statement,
     * writes included, over a connection of its own). txid_current is not among them: it assigns
     * a transaction id, which changes nothing a reader could see.
     */
    Set<String> STATE_CHANGING_FUNCTIONS = Set.of(
            "nextval", "setval", "set_config",
            "pg_advisory_lock", "pg_advisory_lock_shared", "pg_advisory_xact_lock", "pg_advisory_xact_lock_shared",
            "get_lock", "release_lock", "release_all_locks",
            "pg_try_advisory_lock", "pg_try_advisory_lock_shared", "pg_try_advisory_xact_lock",
            "pg_try_advisory_xact_lock_shared", "pg_advisory_unlock", "pg_advisory_unlock_shared", "pg_advisory_unlock_all",
            "lo_creat", "lo_create", "lo_import", "lo_export", "lo_unlink", "lo_put", "lo_from_bytea", "lo_truncate",
            "lo_truncate64", "lowrite",
            "pg_terminate_backend", "pg_cancel_backend", "pg_notify",
            "pg_reload_conf", "pg_rotate_logfile", "pg_switch_wal", "pg_create_restore_point", "pg_promote",
            "pg_backup_start", "pg_backup_stop", "pg_start_backup", "pg_stop_backup", "pg_wal_replay_pause",
            "pg_wal_replay_resume", "pg_stat_reset", "pg_stat_reset_shared", "pg_stat_reset_single_table_counters",
            "pg_stat_reset_single_function_counters", "pg_stat_reset_slru", "pg_stat_reset_replication_slot",
            "pg_stat_reset_subscription_stats", "pg_create_physical_replication_slot",
            "pg_create_logical_replication_slot", "pg_drop_replication_slot", "pg_copy_physical_replication_slot",
            "pg_copy_logical_replication_slot", "pg_replication_slot_advance", "pg_logical_slot_get_changes",
            "pg_logical_slot_get_binary_changes", "pg_logical_emit_message", "pg_replication_origin_create",
            "pg_replication_origin_drop", "pg_replication_origin_advance", "pg_replication_origin_session_setup",
            "pg_import_system_collations", "brin_summarize_new_values", "brin_summarize_range",
            "brin_desummarize_range", "gin_clean_pending_list",
            "pg_file_write", "pg_file_rename", "pg_file_unlink", "pg_file_sync",
            "dblink", "dblink_exec", "dblink_send_query");

    /**
     * Built-in functions that read tables named only inside a string (a query or a table name as
     * text), where the analysis cannot see which: the XML exports, ts_stat and ts_rewrite's query
     * form, and dblink.
     */
    Set<String> TEXT_QUERY_FUNCTIONS = Set.of(
            "query_to_xml", "query_to_xml_and_xmlschema", "query_to_xmlschema", "table_to_xml",
            "table_to_xml_and_xmlschema", "table_to_xmlschema", "schema_to_xml", "schema_to_xml_and_xmlschema",
            "database_to_xml", "database_to_xml_and_xmlschema", "ts_stat", "ts_rewrite",
            "dblink", "dblink_exec", "dblink_send_query", "dblink_open");

    /** A function's name without its schema. */
    private static String bare(String function) {
        return function.substring(function.lastIndexOf('.') + 1);
    }

    private static Optional<Decision.Verdict> deny(Rule rule, String reason) {
        return Optional.of(new Decision.Verdict(rule.id(), Decision.Outcome.DENY, reason));
    }

    /**
     * Refuses statements of the given kinds (DROP and TRUNCATE in prod, DO blocks, ALTER SYSTEM...),
     * or only those on the given object types (DROP DATABASE) when {@code objects} is not empty.
     */
    record DenyStatementKinds(String id, String description, RuleScope scope, Set<StatementKind> kinds,
            Set<String> objects) implements Rule {
        public DenyStatementKinds {
            kinds = Set.copyOf(kinds);
            objects = objectTypes(objects);
        }

        /** Whatever object the statements act on. */
        public DenyStatementKinds(String id, String description, RuleScope scope, Set<StatementKind> kinds) {
            this(id, description, scope, kinds, Set.of());
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            return firstOf(analysis, kinds, objects).map(statement -> new Decision.Verdict(id, Decision.Outcome.DENY,
                    words(statement, objects) + " statements are not allowed here"));
        }
    }

    /** UPDATE and DELETE must have a WHERE that restricts the rows; {@code WHERE 1=1} does not count. */
    record RequireWhere(String id, String description, RuleScope scope) implements Rule {
        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            for (StatementInfo statement : analysis.executedStatements()) {
                if (statement.where() == WhereClause.NONE) {
                    return deny(this, words(statement.kind()) + " without a WHERE clause would change every row");
                }
                if (statement.where() == WhereClause.TRIVIAL) {
                    return deny(this, words(statement.kind()) + " with a WHERE clause that is always true would change every row");
                }
            }
            return Optional.empty();
        }
    }

    /** The identities in scope may only read: any statement that could change something is refused. */
    record ReadOnly(String id, String description, RuleScope scope) implements Rule {
        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            // innermost first, so that the refusal names the statement that writes (the UPDATE of a CTE, not its SELECT)
            for (StatementInfo statement : analysis.executedStatements().reversed()) {
                // COPY is judged by what it does: to the client it only reads; from the client it writes a table
                boolean writingKind = WRITES.contains(statement.kind()) && statement.kind() != StatementKind.COPY;
                if (writingKind || !statement.tablesWritten().isEmpty() || !statement.serverAccess().isEmpty()) {
                    return deny(this, "this identity is read-only, and " + words(statement.kind()) + " can change data");
                }
                for (String function : statement.functions()) {
                    if (STATE_CHANGING_FUNCTIONS.contains(bare(function))) {
                        return deny(this, "this identity is read-only, and " + function + "() changes state");
                    }
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Protects tables: no reads, no writes and/or no DDL on those named. A pattern is
     * {@code table}, {@code schema.table} or {@code schema.*}; an unqualified table in a statement
     * matches a qualified pattern with the same table name (the search path could point it anywhere).
     * Since the rule knows tables by name, it also refuses what would take them out of its sight:
     * with {@code read} denied, renaming or moving such a table (or its schema) and rules or
     * triggers on it, and functions that read tables named in text; with a {@code schema.*}
     * pattern, changing the search path, which would let unqualified names reach that schema.
     */
    record ProtectTables(String id, String description, RuleScope scope, List<String> tables, Set<Access> denied)
            implements Rule {
        public ProtectTables {
            tables = tables.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
            denied = Set.copyOf(denied);
        }

        /** What is protected against. */
        public enum Access { READ, WRITE, DDL }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            for (StatementInfo statement : analysis.executedStatements()) {
                boolean ddl = statement.kind().isDdl();
                boolean redefines = denied.contains(Access.READ) && (statement.kind() == StatementKind.ALTER
                        || (statement.kind() == StatementKind.CREATE && RELATION_HOOKS.contains(statement.objectType())));
                if (denied.contains(Access.WRITE) || (ddl && denied.contains(Access.DDL)) || redefines) {
                    for (TableName table : statement.tablesWritten()) {
                        if (matches(table)) {
                            return deny(this, "table " + table + " is protected against "
                                    + (ddl ? "changes to its definition" : "writes"));
                        }
                    }
                }
                if (denied.contains(Access.READ)) {
                    for (TableName table : statement.tablesRead()) {
                        if (matches(table)) {
                            return deny(this, "table " + table + " may not be read here");
                        }
                    }
                    for (String function : statement.functions()) {
                        if (TEXT_QUERY_FUNCTIONS.contains(bare(function))) {
                            return deny(this, "function " + function
                                    + " reads tables named in text, which the gateway cannot check against protected tables");
                        }
                    }
                }
                if (tables.stream().anyMatch(pattern -> pattern.endsWith(".*")) && changesSearchPath(statement)) {
                    return deny(this, "the search path may not change while whole schemas are protected, since "
                            + "unqualified names could then reach them; qualify the names instead");
                }
            }
            return Optional.empty();
        }

        /** What CREATE can attach to an existing table that acts on its rows later. */
        private static final Set<String> RELATION_HOOKS = Set.of("rule", "trigger");

        private static boolean changesSearchPath(StatementInfo statement) {
            return (statement.kind() == StatementKind.SET && statement.objectType().equals("search_path"))
                    || statement.functions().stream().anyMatch(f -> bare(f).equals("set_config"));
        }

        private boolean matches(TableName table) {
            return TablePatterns.anyCovers(tables, table);
        }
    }

    /** Refuses statements that call any of the given functions (pg_read_file, lo_import, dblink...). */
    record DenyFunctions(String id, String description, RuleScope scope, Set<String> functions) implements Rule {
        public DenyFunctions {
            functions = functions.stream().map(f -> f.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            for (StatementInfo statement : analysis.executedStatements()) {
                for (String called : statement.functions()) {
                    String bare = called.substring(called.lastIndexOf('.') + 1);
                    if (functions.contains(called) || functions.contains(bare)) {
                        return deny(this, "function " + called + " is not allowed");
                    }
                }
            }
            return Optional.empty();
        }
    }

    /** One statement per query string: several are a common way to smuggle one past a reviewer. */
    record DenyMultipleStatements(String id, String description, RuleScope scope) implements Rule {
        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            return analysis.multiStatement() ? deny(this, "the query holds several statements; send one at a time")
                    : Optional.empty();
        }
    }

    /**
     * Statements of the given kinds (or touching the given tables) wait for a person's approval;
     * only those on the given object types when {@code objects} is not empty.
     */
    record RequireApproval(String id, String description, RuleScope scope, Set<StatementKind> kinds,
            Set<String> objects, ApprovalTerms terms) implements Rule {
        public RequireApproval {
            kinds = Set.copyOf(kinds);
            objects = objectTypes(objects);
            terms = terms == null ? ApprovalTerms.DEFAULT : terms;
        }

        public RequireApproval(String id, String description, RuleScope scope, Set<StatementKind> kinds, Set<String> objects) {
            this(id, description, scope, kinds, objects, ApprovalTerms.DEFAULT);
        }

        /** Whatever object the statements act on. */
        public RequireApproval(String id, String description, RuleScope scope, Set<StatementKind> kinds) {
            this(id, description, scope, kinds, Set.of(), ApprovalTerms.DEFAULT);
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            return firstOf(analysis, kinds, objects).map(statement -> new Decision.Verdict(id,
                    Decision.Outcome.REQUIRE_APPROVAL, words(statement, objects) + " needs approval here"));
        }
    }

    /**
     * Columns nobody in scope may touch: a statement that reads or writes one of them, names it in
     * a condition, or reads every column of its table ({@code SELECT *}, {@code t.*}, a whole-row
     * reference such as {@code row_to_json(t)}, {@code COPY t TO}) is refused. A column is
     * {@code table.column} or {@code schema.table.column}, matched to tables as
     * {@link ProtectTables} does. With {@code narrowStar}, a plain query whose only use of the
     * columns is a {@code *} in its select list runs instead, and the columns are removed from its
     * result ({@link #narrowing}).
     */
    record DenyColumns(String id, String description, RuleScope scope, List<String> columns, boolean narrowStar)
            implements Rule {
        public DenyColumns {
            columns = columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
        }

        public DenyColumns(String id, String description, RuleScope scope, List<String> columns) {
            this(id, description, scope, columns, false);
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            boolean narrowable = narrowStar && narrowable(analysis);
            for (StatementInfo statement : analysis.executedStatements()) {
                for (var used : statement.columnsUsed().entrySet()) {
                    for (String denied : columns) {
                        int dot = denied.lastIndexOf('.');
                        String column = denied.substring(dot + 1);
                        if (!TablePatterns.covers(denied.substring(0, dot), used.getKey())) {
                            continue;
                        }
                        for (String name : used.getValue()) {
                            if (name.equalsIgnoreCase(column)) {
                                return deny(this, "column " + column + " of " + used.getKey() + " may not be used here");
                            }
                        }
                        if (used.getValue().contains(StatementInfo.WHOLE_ROW) || (used.getValue().contains("*") && !narrowable)) {
                            return deny(this, "the statement reads every column of " + used.getKey()
                                    + ", including " + column + ", which may not be read here; name the columns you need");
                        }
                    }
                }
            }
            return Optional.empty();
        }

        /**
         * The columns to remove from the result when the statement runs narrowed: those of
         * {@link #columns} whose table the statement reads with {@code *}.
         */
        public List<String> narrowing(StatementAnalysis.Analyzed analysis) {
            if (!narrowStar || !narrowable(analysis)) {
                return List.of();
            }
            List<String> hidden = new java.util.ArrayList<>();
            for (StatementInfo statement : analysis.executedStatements()) {
                for (var used : statement.columnsUsed().entrySet()) {
                    if (!used.getValue().contains("*")) {
                        continue;
                    }
                    for (String denied : columns) {
                        if (TablePatterns.covers(denied.substring(0, denied.lastIndexOf('.')), used.getKey())
                                && !hidden.contains(denied)) {
                            hidden.add(denied);
                        }
                    }
                }
            }
            return hidden;
        }

        /**
         * Only a plain query's own result can be narrowed: the gateway removes columns from the rows
         * it returns, which does nothing for rows copied into a table, a file, a cursor fetched
         * later or a prepared statement executed later.
         */
        private static boolean narrowable(StatementAnalysis.Analyzed analysis) {
            for (StatementInfo statement : analysis.executedStatements()) {
                if (statement.kind() != StatementKind.SELECT || !statement.tablesWritten().isEmpty()
                        || !statement.serverAccess().isEmpty()) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * An allow list of columns for one table: a statement that uses any other column of it,
     * or all of them ({@code SELECT *}, whole-row references), is refused.
     */
    record AllowColumns(String id, String description, RuleScope scope, String table, Set<String> columns)
            implements Rule {
        public AllowColumns {
            table = table.toLowerCase(Locale.ROOT);
            columns = columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            for (StatementInfo statement : analysis.executedStatements()) {
                for (var used : statement.columnsUsed().entrySet()) {
                    if (!TablePatterns.covers(table, used.getKey())) {
                        continue;
                    }
                    for (String name : used.getValue()) {
                        if (name.equals("*")) {
                            return deny(this, "the statement reads every column of " + used.getKey()
                                    + "; only " + String.join(", ", columns.stream().sorted().toList()) + " may be used here");
                        }
                        if (!columns.contains(name.toLowerCase(Locale.ROOT))) {
                            return deny(this, "column " + name + " of " + used.getKey() + " is not among those allowed here ("
                                    + String.join(", ", columns.stream().sorted().toList()) + ")");
                        }
                    }
                }
            }
            return Optional.empty();
        }
    }

    /**
     * An allow list of tables: a statement that reads or writes any table the list does not name
     * is refused. A qualified table must match {@code schema.table}, {@code schema.*} or a bare
     * {@code table}; an unqualified one must match a pattern with its table name.
     */
    record AllowTables(String id, String description, RuleScope scope, List<String> tables) implements Rule {
        public AllowTables {
            tables = tables.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            for (StatementInfo statement : analysis.executedStatements()) {
                for (TableName table : statement.tablesRead()) {
                    if (!TablePatterns.anyAllows(tables, table)) {
                        return deny(this, "table " + table + " is not among the tables allowed here");
                    }
                }
                for (TableName table : statement.tablesWritten()) {
                    if (!TablePatterns.anyAllows(tables, table)) {
                        return deny(this, "table " + table + " is not among the tables allowed here");
                    }
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Masks sensitive values in the results of statements in scope, except for the groups named in
     * {@code clearFor}. It never refuses a statement; the policy engine hands its
     * {@link MaskingDirective} to the protocol, which masks the rows.
     */
    record Mask(String id, String description, RuleScope scope, Set<String> clearFor, MaskingDirective directive)
            implements Rule {
        public Mask {
            clearFor = Set.copyOf(clearFor);
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            return Optional.empty();
        }

        /** Whether the identity sees clear values. */
        boolean clearFor(Principal principal) {
            return principal.groups().stream().anyMatch(clearFor::contains);
        }
    }

    /**
     * Caps the rows a statement returns to the client: past {@code limit.rows()} the gateway stops
     * forwarding rows and tells the client as {@code limit.action()} says. It never refuses a
     * statement by itself; the policy engine hands the strictest applicable limit to the protocol.
     */
    record MaxRows(String id, String description, RuleScope scope, long rows, RowLimit.Action action) implements Rule {
        public MaxRows {
            if (rows < 0) {
                throw new IllegalArgumentException("max-rows needs a limit of 0 or more");
            }
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            return Optional.empty();
        }

        RowLimit limit() {
            return new RowLimit(id, rows, action, scope.mode() == RuleScope.Mode.SHADOW);
        }
    }

    /**
     * Lets statements the analyzer cannot read through, where they are in scope. Without such a
     * rule an unreadable statement is refused.
     */
    record AllowUnparseable(String id, String description, RuleScope scope) implements Rule {
        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            return Optional.empty();
        }
    }

    /**
     * Lets MySQL {@code LOAD DATA LOCAL INFILE} (and {@code LOAD XML LOCAL}) through where it is in
     * scope. Without such a rule the policy engine refuses them, since the server, not the client,
     * names the file the client then sends. Every other rule still judges the statement.
     */
    record AllowLocalInfile(String id, String description, RuleScope scope) implements Rule {
        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            return Optional.empty();
        }
    }

    /**
     * The first statement that runs, is one of {@code kinds} and, unless {@code objects} is empty,
     * acts on one of those object types.
     */
    private static Optional<StatementInfo> firstOf(StatementAnalysis.Analyzed analysis, Set<StatementKind> kinds,
            Set<String> objects) {
        return analysis.executedStatements().stream().filter(statement -> kinds.contains(statement.kind()))
                .filter(statement -> objects.isEmpty() || objects.contains(statement.objectType())).findFirst();
    }

    /** Object types as the analyzer reports them: lower-case words separated by one space ("materialized view"). */
    private static String objectType(String written) {
        return String.join(" ", written.trim().toLowerCase(Locale.ROOT).replace('-', ' ').split("\\s+"));
    }

    private static Set<String> objectTypes(Set<String> written) {
        return written.stream().map(Rule::objectType).collect(Collectors.toUnmodifiableSet());
    }

    private static String words(StatementKind kind) {
        return kind.name().replace('_', ' ');
    }

    /** "DROP", or "DROP DATABASE" when the rule is about object types. */
    private static String words(StatementInfo statement, Set<String> objects) {
        return words(statement.kind()) + (objects.isEmpty() ? "" : " " + statement.objectType().toUpperCase(Locale.ROOT));
    }
}
