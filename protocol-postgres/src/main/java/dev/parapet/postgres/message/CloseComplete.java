package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * The server's answer to a Close. Handed over on its own so the gateway can hold back the answers
 * to Close messages it sent itself; owns {@code frame} until forwarded or released.
 */
public record CloseComplete(ByteBuf frame) implements BackendMessage {
}
