package dev.parapet.postgres.message;

/** The client is closing the session. */
public record Terminate() implements FrontendMessage {
    public static final Terminate INSTANCE = new Terminate();
}
