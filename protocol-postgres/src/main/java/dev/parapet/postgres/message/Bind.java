package dev.parapet.postgres.message;

/**
 * Extended protocol: bind prepared statement {@code statement} to portal {@code portal} ("" for the
 * unnamed ones). Observed (only the two names are read), then relayed.
 */
public record Bind(String portal, String statement) implements FrontendMessage {
}
