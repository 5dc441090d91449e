package dev.parapet.config;

/**
 * How callers authenticate to the gateway. The caller's password (later, its token) travels in
 * clear inside the protocol, so it is only asked for over TLS; {@code allow-cleartext-on-loopback}
 * relaxes that for connections from the local machine, for development.
 */
public record ClientAuthConfig(Boolean allowCleartextOnLoopback) {

    public ClientAuthConfig {
        allowCleartextOnLoopback = allowCleartextOnLoopback != null && allowCleartextOnLoopback;
    }

    static ClientAuthConfig defaults() {
        return new ClientAuthConfig(false);
    }
}
