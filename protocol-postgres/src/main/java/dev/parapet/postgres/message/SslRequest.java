package dev.parapet.postgres.message;

/** The client asks to switch the connection to TLS before its startup message. */
public record SslRequest() implements FrontendMessage {
    public static final int CODE = 80877103;
}
