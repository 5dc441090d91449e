package dev.parapet.policy;

/**
 * How many rows a statement may return to the client, and what happens past that: the gateway
 * stops forwarding rows and either tells the client with a notice (the result is cut short but
 * the statement succeeds) or fails the statement with an error. A shadow limit is only reported.
 *
 * @param ruleId the rule that set the limit
 * @param rows rows forwarded at most, per result
 * @param action what the client is told once the limit is reached
 * @param shadow true when the rule only reports what it would do
 */
public record RowLimit(String ruleId, long rows, Action action, boolean shadow) {

    public RowLimit {
        if (rows < 0) {
            throw new IllegalArgumentException("a row limit cannot be negative");
        }
    }

    /** What the client is told when a result goes past the limit. */
    public enum Action { NOTICE, ERROR }

    /** The stricter of two limits: the one with fewer rows, an enforced one before a shadow one. */
    RowLimit stricter(RowLimit other) {
        if (other == null) {
            return this;
        }
        if (shadow != other.shadow) {
            return shadow ? other : this;
        }
        return other.rows < rows ? other : this;
    }
}
