package dev.parapet.policy;

/**
 * What the WHERE clause of an UPDATE or DELETE restricts, so that a "require WHERE" rule can treat
 * a WHERE that restricts nothing the same as no WHERE at all.
 */
public enum WhereClause {
    /** The statement is not an UPDATE or DELETE. */
    NOT_APPLICABLE,
    /** An UPDATE or DELETE without a WHERE: every row. */
    NONE,
    /**
     * A WHERE whose outcome does not depend on the row: {@code 1=1}, {@code true}, {@code 'a'='a'},
     * a bare literal or parameter, {@code x = x}, or any of these as a top-level OR branch. Such a
     * condition holds for every row or for none, so it restricts nothing a policy could rely on.
     */
    TRIVIAL,
    /** A WHERE that compares something of the row (or {@code WHERE CURRENT OF} a cursor). */
    PRESENT
}
