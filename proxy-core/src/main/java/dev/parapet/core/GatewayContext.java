package dev.parapet.core;

import dev.parapet.config.ParapetConfig;
import io.netty.handler.ssl.SslContext;
import java.util.Optional;

/**
 * The shared services a protocol frontend needs, built once by the server's wiring: configuration,
 * targets, identity and connect policy, the statement gate, the audit trail, approval requests,
 * sessions, metrics,
 * transport and the client-facing TLS
 * context (absent when no certificate is configured).
 */
public record GatewayContext(
        ParapetConfig config,
        TargetRegistry targets,
        IdentityResolver identities,
        ConnectPolicy connectPolicy,
        StatementGate statements,
        AuditTrail audit,
        Approvals approvals,
        SessionRegistry sessions,
        GatewayMetrics metrics,
        Transport transport,
        Optional<SslContext> clientTls) {
}
