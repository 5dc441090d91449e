package dev.parapet.postgres.auth;

/** The gateway could not authenticate to a database with its service credentials. */
public final class AuthenticationFailure extends Exception {
    public AuthenticationFailure(String message) {
        super(message, null, false, false);
    }
}
