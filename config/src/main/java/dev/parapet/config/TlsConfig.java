package dev.parapet.config;

import java.nio.file.Path;

/**
 * The certificate the gateway presents to clients. Either a PEM certificate chain and key, or
 * {@code self-signed: true}, which makes the gateway generate one at start-up (development only;
 * its fingerprint is logged so a client can pin it). With neither, clients cannot use TLS.
 */
public record TlsConfig(Path cert, Path key, Boolean selfSigned) {

    public TlsConfig {
        selfSigned = selfSigned != null && selfSigned;
    }

    static TlsConfig none() {
        return new TlsConfig(null, null, false);
    }

    public boolean enabled() {
        return selfSigned || cert != null;
    }
}
