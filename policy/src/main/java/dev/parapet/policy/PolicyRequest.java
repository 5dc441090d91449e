package dev.parapet.policy;

import java.util.Objects;

/**
 * One statement to decide on: who runs it, where (the target's name, environment and dialect),
 * and what the analyzer found it does.
 */
public record PolicyRequest(Principal principal, String target, String environment, Dialect dialect,
        StatementAnalysis analysis) {

    public PolicyRequest {
        Objects.requireNonNull(dialect, "dialect");
    }

    /** A statement for a PostgreSQL target. */
    public PolicyRequest(Principal principal, String target, String environment, StatementAnalysis analysis) {
        this(principal, target, environment, Dialect.POSTGRES, analysis);
    }
}
