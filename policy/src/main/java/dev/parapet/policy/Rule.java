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
            for (StatementInfo statement : analysis.executedStatements()) {
                if (WRITES.contains(statement.kind()) || !statement.tablesWritten().isEmpty()
                        || !statement.serverAccess().isEmpty()) {
                    return deny(this, "this identity is read-only, and " + words(statement.kind()) + " can change data");
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Protects tables: no reads, no writes and/or no DDL on those named. A pattern is
     * {@code table}, {@code schema.table} or {@code schema.*}; an unqualified table in a statement
     * matches a qualified pattern with the same table name (the search path could point it anywhere).
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
                if (denied.contains(Access.WRITE) || (ddl && denied.contains(Access.DDL))) {
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
                }
            }
            return Optional.empty();
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

    /**
     * Statements of the given kinds (or touching the given tables) wait for a person's approval;
     * only those on the given object types when {@code objects} is not empty.
     */
    record RequireApproval(String id, String description, RuleScope scope, Set<StatementKind> kinds,
            Set<String> objects) implements Rule {
        public RequireApproval {
            kinds = Set.copyOf(kinds);
            objects = objectTypes(objects);
        }

        /** Whatever object the statements act on. */
        public RequireApproval(String id, String description, RuleScope scope, Set<StatementKind> kinds) {
            this(id, description, scope, kinds, Set.of());
        }

        @Override
        public Optional<Decision.Verdict> check(StatementAnalysis.Analyzed analysis, Principal principal) {
            return firstOf(analysis, kinds, objects).map(statement -> new Decision.Verdict(id,
                    Decision.Outcome.REQUIRE_APPROVAL, words(statement, objects) + " needs approval here"));
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
