package dev.parapet.config;

import java.nio.file.Path;

/**
 * TLS from the gateway to the database. {@code disable}: plain TCP. {@code require}: TLS
 * without certificate checks. {@code verify-ca}: the server certificate must chain to {@code ca}
 * (or the JDK trust store). {@code verify-full}: as verify-ca, and the host name must match.
 */
public record UpstreamTlsConfig(Mode mode, Path ca) {

    public UpstreamTlsConfig {
        mode = mode == null ? Mode.DISABLE : mode;
    }

    static UpstreamTlsConfig disabled() {
        return new UpstreamTlsConfig(Mode.DISABLE, null);
    }

    /** The TLS modes, named as in libpq's sslmode. */
    public enum Mode {
        DISABLE, REQUIRE, VERIFY_CA, VERIFY_FULL;

        @com.fasterxml.jackson.annotation.JsonCreator
        static Mode parse(String text) {
            return SettingValues.parse(Mode.class, text);
        }
    }
}
