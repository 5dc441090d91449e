package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * Extended protocol: prepare {@code sql} as statement {@code name} ("" for the unnamed one).
 * {@code frame} is the whole message as received, owned until forwarded or released.
 */
public record Parse(String name, String sql, ByteBuf frame) implements FrontendMessage {
}
