package dev.parapet.postgres.message;

/** Extended protocol: describe a prepared statement ({@code kind} 'S') or a portal ('P'). Observed, then relayed. */
public record Describe(char kind, String name) implements FrontendMessage {
}
