package dev.parapet.audit;

/**
 * The names of audit events and of their attributes. Where one fits, a name follows the
 * OpenTelemetry semantic conventions (flat, dotted attribute names: {@code db.*}, {@code user.*},
 * {@code client.*}, {@code error.*}, {@code session.id}, {@code event.name}); what only a gateway
 * knows is under {@code parapet.*}. docs/audit-events.md describes each, with examples.
 */
public final class AuditFields {

    private AuditFields() {
    }

    // ---- event names
    public static final String CONNECT = "parapet.connect";
    public static final String STATEMENT = "parapet.statement";
    public static final String DISCONNECT = "parapet.disconnect";
    public static final String APPROVAL = "parapet.approval";

    // ---- every event
    /** The version of the event schema (an integer). */
    public static final String SCHEMA = "parapet.schema";
    public static final String EVENT_ID = "event.id";
    public static final String EVENT_NAME = "event.name";
    /** When it happened: ISO-8601 UTC, microseconds. */
    public static final String TIME = "time";
    public static final String SESSION_ID = "session.id";
    /** The gateway instance that wrote the event. */
    public static final String INSTANCE = "service.instance.id";

    // ---- who
    public static final String USER_ID = "user.id";
    public static final String USER_NAME = "user.name";
    public static final String USER_EMAIL = "user.email";
    /** The identity's groups. */
    public static final String USER_ROLES = "user.roles";
    /** human or service. */
    public static final String IDENTITY_KIND = "parapet.identity.kind";
    public static final String IDENTITY_ISSUER = "parapet.identity.issuer";

    // ---- from where
    public static final String CLIENT_ADDRESS = "client.address";
    public static final String CLIENT_PORT = "client.port";
    /** The client's application name (PostgreSQL application_name, MySQL program_name). */
    public static final String CLIENT_APPLICATION = "parapet.client.application";

    // ---- to where
    public static final String TARGET = "parapet.target";
    public static final String ENVIRONMENT = "deployment.environment.name";
    /** postgresql, mysql or mariadb. */
    public static final String DB_SYSTEM = "db.system.name";
    /** The database the client asked for. */
    public static final String DB_NAMESPACE = "db.namespace";
    /** The wire protocol: postgresql or mysql. */
    public static final String PROTOCOL = "network.protocol.name";

    // ---- connect and disconnect
    /** accepted or refused. */
    public static final String OUTCOME = "parapet.outcome";
    /** Why a connection was refused or ended. */
    public static final String REASON = "parapet.reason";
    /** How long a session lasted, in milliseconds (disconnect). */
    public static final String SESSION_DURATION_MS = "parapet.session.duration_ms";
    /** Statements the session sent (disconnect). */
    public static final String SESSION_STATEMENTS = "parapet.session.statements";

    // ---- the statement
    /** The kind of the statement (SELECT, UPDATE, ...); for a string of several, BATCH. */
    public static final String OPERATION = "db.operation.name";
    /** The kinds of the statements of a string of several, in order. */
    public static final String OPERATIONS = "parapet.operations";
    /** How many statements the string holds, when more than one. */
    public static final String BATCH_SIZE = "db.operation.batch.size";
    /** The statement's text: redacted (literals as ?) unless configured otherwise. */
    public static final String QUERY_TEXT = "db.query.text";
    /** The statement with literals replaced, whitespace and case normalised: equal for statements of one shape. */
    public static final String FINGERPRINT = "parapet.query.fingerprint";
    public static final String TABLES_READ = "parapet.tables.read";
    public static final String TABLES_WRITTEN = "parapet.tables.written";
    /** Columns the statement uses, as table.column. */
    public static final String COLUMNS = "parapet.columns";
    /** simple or extended (PostgreSQL), text or prepared (MySQL). */
    public static final String QUERY_PROTOCOL = "parapet.query.protocol";
    /** The gateway's number for the session's transaction the statement ran in (1, 2, ...), 0 outside one. */
    public static final String TRANSACTION = "parapet.transaction";

    // ---- the decision
    /** allowed, denied, shadow-denied, held, approved, rejected, expired. */
    public static final String DECISION = "parapet.decision";
    /** The rule behind a decision other than a plain allow. */
    public static final String RULE = "parapet.rule";
    public static final String DECISION_REASON = "parapet.decision.reason";
    /** Rules in shadow mode that would have refused the statement. */
    public static final String SHADOW_RULES = "parapet.shadow.rules";
    /** The mask rule applied to the results. */
    public static final String MASKING_RULE = "parapet.masking.rule";
    /** Masked result columns: a list of {column, class, strategy, reason}. */
    public static final String MASKED_COLUMNS = "parapet.masking.columns";
    /** Columns removed from the results. */
    public static final String HIDDEN_COLUMNS = "parapet.hidden.columns";
    /** The row limit applied, when one was. */
    public static final String ROW_LIMIT = "parapet.row_limit";

    // ---- the outcome
    /** Rows sent to the client. */
    public static final String ROWS_RETURNED = "db.response.returned_rows";
    /** Rows inserted, updated, deleted or copied, as the database reported. */
    public static final String ROWS_AFFECTED = "parapet.rows.affected";
    /** The database's command tags, in order (SELECT 3, UPDATE 1, ...). */
    public static final String COMMAND_TAGS = "parapet.command.tags";
    /** From the statement's arrival to its completion, in milliseconds. */
    public static final String DURATION_MS = "parapet.duration_ms";
    /** The SQLSTATE or MySQL error code of an error. */
    public static final String STATUS_CODE = "db.response.status_code";
    /** The class of error: the SQLSTATE, or the gateway's reason. */
    public static final String ERROR_TYPE = "error.type";
    public static final String ERROR_MESSAGE = "error.message";

    // ---- approvals
    public static final String APPROVAL_ID = "parapet.approval.id";
    /** requested, notified, approved, rejected, expired, executed. */
    public static final String APPROVAL_STEP = "parapet.approval.step";
    public static final String APPROVER = "parapet.approval.approver";
}
