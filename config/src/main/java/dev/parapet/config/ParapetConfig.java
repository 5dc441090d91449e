package dev.parapet.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole gateway configuration, as loaded and validated by {@link ConfigLoader}. Every field
 * is non-null after loading: absent sections take their documented defaults here, so nothing
 * downstream checks for missing values. {@code event-loops} is the number of I/O threads (default:
 * one per CPU); each client and its upstream connection live on one of them. {@code policies} is the
 * guardrail policy file or folder; without it only the built-in rule applies (statements the
 * gateway cannot analyse are refused). {@code masking} holds the keyed-hash key of masking;
 * {@code audit} the audit trail's sinks and pipeline; {@code approvals} how approvers hear of requests.
 */
public record ParapetConfig(
        String instance,
        Integer eventLoops,
        ListenersConfig listeners,
        TlsConfig tls,
        ClientAuthConfig clientAuth,
        DevUsersConfig devUsers,
        IdentityConfig identity,
        List<AccessRuleConfig> access,
        List<TargetConfig> targets,
        java.nio.file.Path policies,
        LimitsConfig limits,
        ShutdownConfig shutdown,
        LoggingConfig logging,
        MaskingConfig masking,
        AuditConfig audit,
        ApprovalsConfig approvals) {

    public ParapetConfig {
        instance = instance == null || instance.isBlank() ? defaultInstanceName() : instance;
        eventLoops = eventLoops == null || eventLoops <= 0 ? Runtime.getRuntime().availableProcessors() : eventLoops;
        listeners = Objects.requireNonNullElseGet(listeners, ListenersConfig::defaults);
        tls = Objects.requireNonNullElseGet(tls, TlsConfig::none);
        clientAuth = Objects.requireNonNullElseGet(clientAuth, ClientAuthConfig::defaults);
        devUsers = Objects.requireNonNullElseGet(devUsers, DevUsersConfig::disabled);
        identity = Objects.requireNonNullElseGet(identity, IdentityConfig::none);
        access = access == null ? List.of() : List.copyOf(access);
        targets = targets == null ? List.of() : List.copyOf(targets);
        limits = Objects.requireNonNullElseGet(limits, LimitsConfig::defaults);
        shutdown = Objects.requireNonNullElseGet(shutdown, ShutdownConfig::defaults);
        logging = Objects.requireNonNullElseGet(logging, LoggingConfig::defaults);
        masking = Objects.requireNonNullElseGet(masking, MaskingConfig::defaults);
        audit = Objects.requireNonNullElseGet(audit, AuditConfig::defaults);
        approvals = Objects.requireNonNullElseGet(approvals, ApprovalsConfig::defaults);
    }

    public Optional<TargetConfig> target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    private static String defaultInstanceName() {
        String host = System.getenv("HOSTNAME");
        return host == null || host.isBlank() ? "parapet" : host;
    }
}
