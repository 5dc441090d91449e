package dev.parapet.policy;

/**
 * The SQL dialect a target speaks. It decides the analyzer's lexical rules (quoting, comments,
 * escapes, parameter markers) and how identifiers are normalised, so it must match the upstream
 * database: a statement read with the wrong rules can hide a second statement.
 */
public enum Dialect {
    /** PostgreSQL: double-quoted identifiers, dollar quotes, E'' strings, nested comments, $n parameters. */
    POSTGRES,
    /** MySQL and MariaDB: backtick identifiers, backslash escapes, # comments, executable comments, ? parameters. */
    MYSQL
}
