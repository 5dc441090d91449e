package dev.parapet.core;

/**
 * A login was refused. The message is safe to show the client: it says what was wrong with the
 * credentials without repeating them; {@code reason} is a short stable label for metrics.
 */
public final class AuthenticationException extends Exception {

    private final String reason;

    public AuthenticationException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
