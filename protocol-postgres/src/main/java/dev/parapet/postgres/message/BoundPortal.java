package dev.parapet.postgres.message;

/**
 * A Bind seen on its way: portal {@code portal} now runs prepared statement {@code statement}
 * ("" for the unnamed ones). Observed (only the two names are read), then relayed; a Bind the
 * session must act on comes as a {@link Bind} instead.
 */
public record BoundPortal(String portal, String statement) implements FrontendMessage {
}
