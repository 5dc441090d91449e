package dev.parapet.postgres.message;

/** Extended protocol: close a prepared statement ({@code kind} 'S') or a portal ('P'). Observed, then relayed. */
public record Close(char kind, String name) implements FrontendMessage {
}
