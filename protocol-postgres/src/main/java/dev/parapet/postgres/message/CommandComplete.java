package dev.parapet.postgres.message;

/** A statement finished; {@code tag} is the command tag such as {@code SELECT 3} or {@code UPDATE 1}. */
public record CommandComplete(String tag) implements BackendMessage {
}
