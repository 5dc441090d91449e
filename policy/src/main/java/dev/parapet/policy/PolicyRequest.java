package dev.parapet.policy;

/** One statement to decide on: who runs it, where, and what the analyzer found it does. */
public record PolicyRequest(Principal principal, String target, String environment, StatementAnalysis analysis) {
}
