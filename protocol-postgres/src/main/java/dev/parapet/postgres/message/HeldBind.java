package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * A Bind handed over whole, when the session may have to rewrite it: its result formats name one
 * format per column the client sees, and the database needs one per column it returns.
 * {@code frame} is the message as received, owned until forwarded or released.
 */
public record HeldBind(String portal, String statement, ByteBuf frame) implements FrontendMessage {
}
