package dev.parapet.postgres.message;

/** The client asks for GSSAPI encryption, which the gateway does not offer. */
public record GssEncRequest() implements FrontendMessage {
    public static final int CODE = 80877104;
}
