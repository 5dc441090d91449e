package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * Extended protocol: bind parameters to prepared statement {@code statement} ("" for the unnamed
 * one) as portal {@code portal}. Intercepted so that a statement prepared under an earlier policy
 * is checked again; {@code frame} is the whole message as received, owned until forwarded or
 * released.
 */
public record Bind(String portal, String statement, ByteBuf frame) implements FrontendMessage {
}
