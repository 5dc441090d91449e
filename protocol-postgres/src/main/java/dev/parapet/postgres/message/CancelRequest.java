package dev.parapet.postgres.message;

/** On a connection of its own: cancel whatever the session with this key is running. */
public record CancelRequest(int processId, int secretKey) implements FrontendMessage {
    public static final int CODE = 80877102;
}
