package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * A NOTIFY delivered to this session: the sending backend's process id, then channel and payload.
 * Handed over with its frame so the gateway can put its own process id for the session in place of
 * the database's, as the client knows the session by the gateway's key. Owns {@code frame}.
 */
public record NotificationResponse(ByteBuf frame) implements BackendMessage {

    public int processId() {
        return frame.getInt(5);
    }

    /** Rewrites the sender's process id in place. */
    public void processId(int processId) {
        frame.setInt(5, processId);
    }
}
