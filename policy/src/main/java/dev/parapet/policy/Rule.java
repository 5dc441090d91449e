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

    /** Refuses statements of the given kinds (DROP and TRUNCATE in prod, DO blocks, ALTER SYSTEM...). */
    record DenyStatementKinds(String id, String description, RuleScope scope, Set<StatementKind> kinds) implements Rule {
        public DenyStatementKinds {
            kinds = Set.copyOf(kinds);
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            return firstOf(analysis, kinds).map(kind -> new Decision.Verdict(id, Decision.Outcome.DENY,
                    words(kind) + " statements are not allowed here"));
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
            for (StatementInfo statement : analysis.executedStatements()) {
                if (WRITES.contains(statement.kind()) || !statement.tablesWritten().isEmpty()
                        || !statement.serverAccess().isEmpty()) {
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
            String name = table.name().toLowerCase(Locale.ROOT);
            String schema = table.qualified() ? table.schema().toLowerCase(Locale.ROOT) : null;
            for (String pattern : tables) {
                int dot = pattern.lastIndexOf('.');
                String patternTable = dot < 0 ? pattern : pattern.substring(dot + 1);
                String patternSchema = dot < 0 ? null : pattern.substring(0, dot);
                if (patternTable.equals("*")) {
                    if (schema != null && schema.equals(patternSchema)) {
                        return true;
                    }
                } else if (patternTable.equals(name) || table.wildcard()) {
                    if (patternSchema == null || schema == null || schema.equals(patternSchema)) {
                        return true;
                    }
                }
            }
            return false;
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

    /** Statements of the given kinds (or touching the given tables) wait for a person's approval. */
    record RequireApproval(String id, String description, RuleScope scope, Set<StatementKind> kinds) implements Rule {
        public RequireApproval {
            kinds = Set.copyOf(kinds);
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            return firstOf(analysis, kinds).map(kind -> new Decision.Verdict(id, Decision.Outcome.REQUIRE_APPROVAL,
                    words(kind) + " needs approval here"));
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

    /** The kind of the first statement that runs and is one of {@code kinds}. */
    private static Optional<StatementKind> firstOf(StatementAnalysis.Analyzed analysis, Set<StatementKind> kinds) {
        return analysis.executedStatements().stream().map(StatementInfo::kind).filter(kinds::contains).findFirst();
    }

    private static String words(StatementKind kind) {
        return kind.name().replace('_', ' ');
    }
}
