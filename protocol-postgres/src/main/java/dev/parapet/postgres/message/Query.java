package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * A simple-protocol query: one string that may hold several statements. {@code frame} is the whole
 * message as received; the gateway forwards it unchanged (and so owns it until then).
 */
public record Query(String sql, ByteBuf frame) implements FrontendMessage {
}
