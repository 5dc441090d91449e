package dev.parapet.postgres.codec;

/**
 * The peer broke the protocol (a bad length, an unknown startup code, an oversized message). The
 * message is meant for the client's ErrorResponse; {@code sqlState} is the code to send with it.
 */
public final class ProtocolException extends RuntimeException {

    private final String sqlState;

    public ProtocolException(String sqlState, String message) {
        super(message, null, false, false);
        this.sqlState = sqlState;
    }

    public ProtocolException(String message) {
        this("08P01", message);
    }

    public String sqlState() {
        return sqlState;
    }
}
