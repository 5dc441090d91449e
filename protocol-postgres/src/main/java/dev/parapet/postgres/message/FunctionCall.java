package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * A fast-path function call: a function named by its object id, with arguments, outside SQL.
 * Intercepted because the policy cannot read it as a statement. {@code frame} is the whole message
 * as received; whoever handles it forwards or releases it.
 */
public record FunctionCall(ByteBuf frame) implements FrontendMessage {
}
