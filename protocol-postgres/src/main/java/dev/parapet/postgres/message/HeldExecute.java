package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * An Execute handed over whole, when the session must be able to send something upstream before
 * it (a Describe of its portal, to learn the shape of the rows it will return). {@code frame} is
 * the message as received, owned until forwarded or released.
 */
public record HeldExecute(String portal, int maxRows, ByteBuf frame) implements FrontendMessage {
}
