package dev.parapet.postgres.message;

/** The server is idle; {@code status} is 'I' (no transaction), 'T' (in one) or 'E' (failed one). */
public record ReadyForQuery(char status) implements BackendMessage {
    public static final ReadyForQuery IDLE = new ReadyForQuery('I');
}
