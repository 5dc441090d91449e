package dev.parapet.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The jdbc sink's table: its PostgreSQL definition, the indexes the usual audit questions need
 * ("who touched table X", "what did identity Y do", "what happened between two times"), and how
 * one event fills one row. The columns hold what those questions filter on; the whole event is in
 * {@code event} (jsonb) for everything else.
 */
final class AuditTable {

    /** A table name: an identifier, optionally schema-qualified, written without quotes. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    /** The columns in insert order; {@link #bind} fills them in the same order. */
    private static final List<String> COLUMNS = List.of(
            "id", "time", "event_name", "session_id", "instance",
            "user_id", "user_name", "user_email", "user_groups",
            "target", "environment", "decision", "rule", "operation", "fingerprint",
            "tables_read", "tables_written", "rows_returned", "rows_affected", "duration_ms", "status_code",
            "event");

    private final String name;
    private final String indexPrefix;

    private AuditTable(String name) {
        this.name = name;
        this.indexPrefix = name.substring(name.indexOf('.') + 1);
    }

    /**
     * The table called {@code name}.
     *
     * @throws IllegalArgumentException when {@code name} is not a plain identifier or schema.identifier
     */
    static AuditTable named(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a table name (letters, digits and _, optionally schema.table)");
        }
        return new AuditTable(name);
    }

    String name() {
        return name;
    }

    /** The statements that create the table and its indexes when missing, in order. */
    List<String> definition() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + name + " ("
                        + "id uuid PRIMARY KEY, "
                        + "time timestamptz NOT NULL, "
                        + "event_name text NOT NULL, "
                        + "session_id text, "
                        + "instance text, "
                        + "user_id text, "
                        + "user_name text, "
                        + "user_email text, "
                        + "user_groups text[], "
                        + "target text, "
                        + "environment text, "
                        + "decision text, "
                        + "rule text, "
                        + "operation text, "
                        + "fingerprint text, "
                        + "tables_read text[], "
                        + "tables_written text[], "
                        + "rows_returned bigint, "
                        + "rows_affected bigint, "
                        + "duration_ms double precision, "
                        + "status_code text, "
                        + "event jsonb NOT NULL)",
                "CREATE INDEX IF NOT EXISTS " + indexPrefix + "_time_idx ON " + name + " (time)",
                "CREATE INDEX IF NOT EXISTS " + indexPrefix + "_user_time_idx ON " + name + " (user_id, time)",
                // One index over both lists: "who touched X" asks about reads and writes at once.
                "CREATE INDEX IF NOT EXISTS " + indexPrefix + "_tables_idx ON " + name
                        + " USING gin ((tables_read || tables_written))");
    }

    /** The insert of one event; an id already stored is skipped, so a batch written again adds nothing. */
    String insert() {
        return "INSERT INTO " + name + " (" + String.join(", ", COLUMNS) + ") VALUES ("
                + String.join(", ", COLUMNS.stream().map(c -> "?").toList()) + ") ON CONFLICT (id) DO NOTHING";
    }

    /**
     * Sets the parameters of {@link #insert()} for {@code event}; {@code instance} is the gateway
     * instance, for events that do not name theirs.
     */
    void bind(PreparedStatement insert, AuditEvent event, String instance) throws SQLException {
        Connection connection = insert.getConnection();
        int i = 0;
        insert.setObject(++i, UUID.fromString(event.id()));
        insert.setObject(++i, OffsetDateTime.ofInstant(event.time(), ZoneOffset.UTC));
        insert.setString(++i, event.name());
        insert.setString(++i, blankAsNull(event.sessionId()));
        String own = event.text(AuditFields.INSTANCE);
        insert.setString(++i, blankAsNull(own != null ? own : instance));
        insert.setString(++i, event.text(AuditFields.USER_ID));
        insert.setString(++i, event.text(AuditFields.USER_NAME));
        insert.setString(++i, event.text(AuditFields.USER_EMAIL));
        setTexts(insert, ++i, connection, event.attribute(AuditFields.USER_ROLES));
        insert.setString(++i, event.text(AuditFields.TARGET));
        insert.setString(++i, event.text(AuditFields.ENVIRONMENT));
        insert.setString(++i, event.text(AuditFields.DECISION));
        insert.setString(++i, event.text(AuditFields.RULE));
        insert.setString(++i, event.text(AuditFields.OPERATION));
        insert.setString(++i, event.text(AuditFields.FINGERPRINT));
        setTexts(insert, ++i, connection, event.attribute(AuditFields.TABLES_READ));
        setTexts(insert, ++i, connection, event.attribute(AuditFields.TABLES_WRITTEN));
        setWhole(insert, ++i, event.attribute(AuditFields.ROWS_RETURNED));
        setWhole(insert, ++i, event.attribute(AuditFields.ROWS_AFFECTED));
        setDecimal(insert, ++i, event.attribute(AuditFields.DURATION_MS));
        insert.setString(++i, event.text(AuditFields.STATUS_CODE));
        // Types.OTHER leaves the type to the server, which reads the text as the column's jsonb.
        insert.setObject(++i, event.toString(), Types.OTHER);
    }

    private static String blankAsNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    private static void setTexts(PreparedStatement insert, int index, Connection connection, Object value) throws SQLException {
        if (value instanceof List<?> list) {
            insert.setArray(index, connection.createArrayOf("text", list.stream().map(String::valueOf).toArray()));
        } else if (value != null) {
            insert.setArray(index, connection.createArrayOf("text", new Object[] {value.toString()}));
        } else {
            insert.setNull(index, Types.ARRAY);
        }
    }

    private static void setWhole(PreparedStatement insert, int index, Object value) throws SQLException {
        Number number = number(value);
        if (number == null) {
            insert.setNull(index, Types.BIGINT);
        } else {
            insert.setLong(index, number.longValue());
        }
    }

    private static void setDecimal(PreparedStatement insert, int index, Object value) throws SQLException {
        Number number = number(value);
        if (number == null) {
            insert.setNull(index, Types.DOUBLE);
        } else {
            insert.setDouble(index, number.doubleValue());
        }
    }

    /** A numeric attribute as a number; one written as text (an event read back from elsewhere) too. */
    private static Number number(Object value) {
        if (value == null || value instanceof Number) {
            return (Number) value;
        }
        String text = value.toString().trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notWhole) {
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException notNumber) {
                return null;
            }
        }
    }
}
