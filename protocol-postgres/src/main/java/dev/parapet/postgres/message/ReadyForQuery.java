package dev.parapet.postgres.message;

/** The server is idle; {@code status} is 'I' (no transaction), 'T' (in one) or 'E' (failed one). */
public record ReadyForQuery(char status) implements BackendMessage {
    public static final ReadyForQuery IDLE = new ReadyForQuery('I');
    private static final ReadyForQuery IN_TRANSACTION = new ReadyForQuery('T');
    private static final ReadyForQuery FAILED_TRANSACTION = new ReadyForQuery('E');

    /** The shared instance for a status (one is decoded per statement; no need to allocate). */
    public static ReadyForQuery of(char status) {
        return switch (status) {
            case 'I' -> IDLE;
            case 'T' -> IN_TRANSACTION;
            case 'E' -> FAILED_TRANSACTION;
            default -> new ReadyForQuery(status);
        };
    }
}
