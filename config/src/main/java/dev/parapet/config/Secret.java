package dev.parapet.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A secret value from the configuration (a password, a key). Its {@code toString} never shows
 * the value, so a secret that ends up in a log line or an error message stays secret.
 */
public final class Secret {

    public static final Secret NONE = new Secret("");

    private final String value;

    public Secret(String value) {
        this.value = value;
    }

    /** The clear value, for the one place that needs it (an authentication exchange). */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    /** Compares in time independent of where the values differ. */
    public boolean matches(String candidate) {
        return MessageDigest.isEqual(
                value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "(none)" : "(secret)";
    }
}
