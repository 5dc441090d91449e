package dev.parapet.core;

import dev.parapet.config.UpstreamTlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.Optional;
import javax.net.ssl.SSLException;

/** The TLS client context a target's upstream connections use, whatever their protocol. */
public final class UpstreamTls {

    private UpstreamTls() {
    }

    /**
     * Empty for {@code disable}; {@code require} trusts any certificate, {@code verify-ca} checks the
     * chain (against {@code ca}, or the JDK's trust store), {@code verify-full} the host name too.
     */
    public static Optional<SslContext> context(UpstreamTlsConfig tls) {
        if (tls.mode() == UpstreamTlsConfig.Mode.DISABLE) {
            return Optional.empty();
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (tls.mode() == UpstreamTlsConfig.Mode.REQUIRE) {
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
            } else {
                if (tls.ca() != null) {
                    builder.trustManager(tls.ca().toFile());
                }
                builder.endpointIdentificationAlgorithm(tls.mode() == UpstreamTlsConfig.Mode.VERIFY_FULL ? "HTTPS" : null);
            }
            return Optional.of(builder.build());
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS to the database: " + e.getMessage(), e);
        }
    }
}
