package dev.parapet.policy;

import java.util.Set;

/**
 * What one SQL statement is, as far as a guardrail rule cares: the kinds a DBA denies by name
 * ("no DROP in prod", "no DO blocks", "no ALTER SYSTEM"). A statement that carries another one
 * (EXPLAIN ANALYZE, PREPARE, COPY (query), a data-modifying CTE) has its own kind and lists the
 * carried statement in {@link StatementInfo#inner()}.
 */
public enum StatementKind {
    /** SELECT, VALUES, TABLE t, and MySQL SELECT ... INTO @variables. */
    SELECT,
    /** INSERT, MySQL REPLACE. */
    INSERT,
    UPDATE,
    DELETE,
    MERGE,
    /**
     * CREATE of anything but a function or procedure (table, view, index, schema, role, rule,
     * trigger, policy, extension, ...), and {@code SELECT ... INTO new_table}, which creates a table.
     * {@link StatementInfo#objectType()} says what is created.
     */
    CREATE,
    /** ALTER of an object, ALTER ... OWNER TO, MySQL RENAME TABLE and SET PASSWORD. */
    ALTER,
    /** DROP of an object (including DROP OWNED). */
    DROP,
    TRUNCATE,
    /** COMMENT ON and SECURITY LABEL ON. */
    COMMENT,
    /** GRANT, and ALTER DEFAULT PRIVILEGES ... GRANT. */
    GRANT,
    /** REVOKE, and ALTER DEFAULT PRIVILEGES ... REVOKE. */
    REVOKE,
    /** BEGIN, START TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, SET TRANSACTION, two-phase commit, XA. */
    TRANSACTION,
    /** Session settings: SET, RESET, DISCARD, MySQL SET @variable and SET NAMES. */
    SET,
    /** A change of the acting identity: SET ROLE, SET SESSION AUTHORIZATION, RESET ROLE, MySQL SET ROLE. */
    SET_ROLE,
    /** SHOW, MySQL DESCRIBE table and HELP. */
    SHOW,
    /** MySQL USE database: changes what unqualified names mean. */
    USE,
    /** PostgreSQL COPY; {@link StatementInfo#serverAccess()} tells a server file or program from STDIN/STDOUT. */
    COPY,
    /** PostgreSQL LOAD 'library', MySQL LOAD DATA and LOAD XML. */
    LOAD,
    /** CALL of a procedure (its name is among {@link StatementInfo#functions()}). */
    CALL,
    /** SQL-level PREPARE; the prepared statement is the inner statement when it can be read. */
    PREPARE,
    /** SQL-level EXECUTE of a prepared statement. */
    EXECUTE,
    /** DEALLOCATE, MySQL DROP PREPARE. */
    DEALLOCATE,
    /** EXPLAIN of an inner statement, which runs when ANALYZE is given. */
    EXPLAIN,
    /** PostgreSQL DO block (procedural code, not analysed); MySQL DO expression. */
    DO,
    /**
     * Code that runs later and is not analysed: CREATE [OR REPLACE] FUNCTION or PROCEDURE, and MySQL
     * CREATE TRIGGER and CREATE EVENT, whose bodies are statements.
     */
    CREATE_FUNCTION,
    /** DECLARE ... CURSOR, FETCH, MOVE, CLOSE, MySQL HANDLER. */
    CURSOR,
    /** VACUUM, MySQL OPTIMIZE TABLE and REPAIR TABLE. */
    VACUUM,
    /** ANALYZE, MySQL ANALYZE / CHECK / CHECKSUM TABLE. */
    ANALYZE,
    CLUSTER,
    REINDEX,
    /** REFRESH MATERIALIZED VIEW. */
    REFRESH,
    /** LISTEN and UNLISTEN. */
    LISTEN,
    NOTIFY,
    /** LOCK TABLE, MySQL LOCK TABLES / UNLOCK TABLES. */
    LOCK,
    /**
     * Server-wide administration: ALTER SYSTEM, CHECKPOINT, MySQL SET GLOBAL / PERSIST, FLUSH, KILL,
     * SHUTDOWN, RESTART, INSTALL / UNINSTALL, PURGE, RESET MASTER, replication control.
     */
    ALTER_SYSTEM,
    /** Recognised, harmless and none of the above (MySQL SIGNAL, GET DIAGNOSTICS, CACHE INDEX). */
    OTHER;

    private static final Set<StatementKind> DDL = Set.of(CREATE, ALTER, DROP, TRUNCATE, COMMENT, CREATE_FUNCTION);

    /** Whether this kind changes the schema: CREATE, ALTER, DROP, TRUNCATE, COMMENT, CREATE_FUNCTION. */
    public boolean isDdl() {
        return DDL.contains(this);
    }

    private static final Set<StatementKind> WITH_OBJECT_TYPE = Set.of(CREATE, ALTER, DROP, COMMENT, CREATE_FUNCTION,
            GRANT, REVOKE, REINDEX, REFRESH);

    /** Whether statements of this kind name the type of object they act on ({@link StatementInfo#objectType()}). */
    public boolean hasObjectType() {
        return WITH_OBJECT_TYPE.contains(this);
    }
}
