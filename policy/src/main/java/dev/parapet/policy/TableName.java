package dev.parapet.policy;

import java.util.Objects;

/**
 * A table (or other relation: view, sequence, materialized view) named by a statement, normalised
 * the way the database compares names: for PostgreSQL unquoted identifiers are lower-cased and
 * quoted ones kept exactly; for MySQL names keep their case (table names are case-sensitive on
 * most servers); quotes are removed in both. The schema is the one written in the statement, empty
 * when the statement relied on the search path or the current database; a PostgreSQL catalog
 * prefix ({@code db.schema.table}) is dropped because PostgreSQL only accepts the current database
 * there. The name {@code *} stands for every table of the schema (MySQL {@code GRANT ... ON db.*},
 * {@code DROP SCHEMA s}, {@code GRANT ... ON ALL TABLES IN SCHEMA s}).
 *
 * @param schema the schema (MySQL: database) as written, or empty
 * @param name the table name, or {@code *}
 */
public record TableName(String schema, String name) {

    public TableName {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a table name cannot be empty");
        }
    }

    /** An unqualified name. */
    public static TableName of(String name) {
        return new TableName("", name);
    }

    /** A schema-qualified name. */
    public static TableName of(String schema, String name) {
        return new TableName(schema, name);
    }

    /** Whether the statement named the schema. */
    public boolean qualified() {
        return !schema.isEmpty();
    }

    /** Whether this stands for every table of its schema. */
    public boolean wildcard() {
        return name.equals("*");
    }

    /** {@code schema.name}, or {@code name} when unqualified. */
    @Override
    public String toString() {
        return schema.isEmpty() ? name : schema + "." + name;
    }
}
