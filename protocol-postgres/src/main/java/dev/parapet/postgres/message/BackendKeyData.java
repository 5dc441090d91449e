package dev.parapet.postgres.message;

/** The key a client must present to cancel this session's running statement. */
public record BackendKeyData(int processId, int secretKey) implements BackendMessage {
}
