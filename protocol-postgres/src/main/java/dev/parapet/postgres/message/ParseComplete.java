package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * The server's answer to a Parse. Handed over on its own so the gateway can hold back the answers
 * to Parse messages it sent itself; owns {@code frame} until forwarded or released.
 */
public record ParseComplete(ByteBuf frame) implements BackendMessage {
}
