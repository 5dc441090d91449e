package dev.parapet.postgres.message;

import io.netty.buffer.ByteBuf;

/**
 * Extended protocol: close prepared statement ({@code type} 'S') or portal ('P') {@code name}.
 * Observed to forget closed statements; {@code frame} is the whole message as received, owned
 * until forwarded or released.
 */
public record Close(char type, String name, ByteBuf frame) implements FrontendMessage {
}
