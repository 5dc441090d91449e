package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * Bytes the gateway forwards as they came: one or more whole messages, or part of a large one.
 * The buffer is a retained slice of what was read; whoever receives this writes it to the peer
 * channel (which releases it) or releases it, never both.
 */
public record Relayed(ByteBuf bytes) implements FrontendMessage, BackendMessage {
}
