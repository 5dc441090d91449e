package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * Exactly one whole message, forwarded as it came but on its own, so that the gateway can decide
 * for each message whether it goes on (while it limits the rows of a result). {@code tag} is its
 * type byte. Ownership as for {@link Relayed}: write it or release it, never both.
 */
public record RelayedMessage(byte tag, ByteBuf frame) implements BackendMessage {
}
