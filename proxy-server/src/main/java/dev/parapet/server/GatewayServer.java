package dev.parapet.server;

import dev.parapet.config.ConfigException;
import dev.parapet.config.ParapetConfig;
import dev.parapet.policy.PolicyEngine;
import dev.parapet.policy.PolicyLoader;
import dev.parapet.core.ConnectPolicy;
import dev.parapet.core.Gateway;
import dev.parapet.core.GatewayContext;
import dev.parapet.core.GatewayMetrics;
import dev.parapet.core.IdentityResolver;
import dev.parapet.core.SessionRegistry;
import dev.parapet.core.MaskPlanner;
import dev.parapet.core.StatementGate;
import dev.parapet.masking.MaskingKey;
import dev.parapet.core.TargetRegistry;
import dev.parapet.core.Transport;
import dev.parapet.core.identity.LoginResolver;
import dev.parapet.postgres.PostgresFrontend;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import dev.parapet.audit.AuditContext;
import dev.parapet.audit.AuditPipeline;
import dev.parapet.core.AuditTrail;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole running gateway built from a configuration: metrics registry, identity source, the
 * protocol listeners and the admin HTTP listener. {@link #start} brings it up, {@link #stop}
 * drains and stops it.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    private final ParapetConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Gateway gateway;
    private final AdminServer admin;
    private final PolicyReloader policyReloader;
    private volatile boolean ready;

    public GatewayServer(ParapetConfig config) {
        this.config = config;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            Gauge.builder("parapet.netty.allocator.used", provider, p -> p.metric().usedDirectMemory() + p.metric().usedHeapMemory())
                    .description("Memory held by the buffer allocator").baseUnit("bytes").register(registry);
        }
        SessionRegistry sessions = new SessionRegistry();
        GatewayContext context = new GatewayContext(
                config,
                new TargetRegistry(config.targets()),
                identities(config),
                new ConnectPolicy(config.access()),
                statements(config),
                audit(config, registry),
                new dev.parapet.core.Approvals(Clock.systemUTC(), new dev.parapet.core.ApprovalNotifier(config.approvals(),
                        "http://" + config.listeners().admin().host() + ":" + config.listeners().admin().port(), Clock.systemUTC()),
                        config.approvals().store()),
                sessions,
                new GatewayMetrics(registry, sessions),
                Transport.best(),
                clientTls(config));
        this.gateway = new Gateway(context, List.of(new PostgresFrontend(), new dev.parapet.mysql.MySqlFrontend()));
        this.policyReloader = reloader(config, context.statements());
        this.admin = new AdminServer(config.listeners().admin(), registry, () -> ready && !sessions.draining(),
                new ApprovalsApi(context.approvals(), context.identities()),
                config.approvals().slack() == null ? null : new SlackActions(config.approvals().slack(), context.approvals(),
                        Clock.systemUTC()));
    }

    private static IdentityResolver identities(ParapetConfig config) {
        LoginResolver logins = new LoginResolver(config);
        if (!logins.configured()) {
            log.warn("no identity source is configured: every login will be refused "
                    + "(configure identity.issuers, or enable dev-users for development)");
        }
        config.identity().issuers().forEach(issuer -> log.info("accepting tokens from issuer {} ({}), audiences {}",
                issuer.name(), issuer.issuer(), issuer.audiences()));
        return logins;
    }

    private static AuditTrail audit(ParapetConfig config, PrometheusMeterRegistry registry) {
        if (!config.audit().enabled()) {
            log.warn("no audit sinks are configured: nothing is recorded of who ran what");
            return AuditTrail.off();
        }
        try {
            AuditPipeline pipeline = AuditPipeline.start(config.audit(),
                    new AuditContext(config.instance(), config.audit().spoolDirectory(), Clock.systemUTC()), registry);
            log.info("audit events go to {} (statement text: {}{})", config.audit().sinks().stream()
                    .map(s -> s.name() + " (" + s.type() + ")").toList(), config.audit().statementText().name().toLowerCase(java.util.Locale.ROOT),
                    config.audit().spoolDirectory() == null ? ", no spool" : ", spool in " + config.audit().spoolDirectory());
            config.targets().forEach(t -> log.info("target {}: audit {}", t.name(), t.audit().words()));
            return new AuditTrail(pipeline, config.instance(), config.audit().statementText(), Clock.systemUTC());
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the audit trail: " + e.getMessage(), e);
        }
    }

    private static PolicyReloader reloader(ParapetConfig config, StatementGate gate) {
        if (config.policies() == null) {
            return null;
        }
        try {
            return new PolicyReloader(config.policies(), gate);
        } catch (java.io.IOException e) {
            log.warn("cannot watch {} for changes: policy reloads need a restart ({})", config.policies(), e.toString());
            return null;
        }
    }

    private static StatementGate statements(ParapetConfig config) {
        MaskPlanner masks = config.masking().key().map(key -> new MaskPlanner(MaskingKey.of(key)))
                .orElseGet(MaskPlanner::withEphemeralKey);
        if (config.policies() == null) {
            log.warn("no policies configured: statements run unless the gateway cannot analyse them");
            return new StatementGate(new PolicyEngine(java.util.List.of()), masks);
        }
        try {
            var rules = new PolicyLoader().load(config.policies());
            log.info("loaded {} policy rule(s) from {}", rules.size(), config.policies());
            return new StatementGate(new PolicyEngine(rules), masks);
        } catch (ConfigException e) {
            throw new IllegalStateException("invalid policies:\n" + e.getMessage(), e);
        }
    }

    private static Optional<SslContext> clientTls(ParapetConfig config) {
        var tls = config.tls();
        try {
            if (tls.cert() != null) {
                return Optional.of(SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile()).build());
            }
            if (tls.selfSigned()) {
                DevCertificate cert = DevCertificate.generate();
                log.warn("TLS uses a self-signed certificate generated at start-up (development only); SHA-256 fingerprint {}",
                        cert.fingerprint());
                return Optional.of(SslContextBuilder.forServer(cert.privateKey(), cert.certificate()).build());
            }
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up client TLS: " + e.getMessage(), e);
        }
        log.warn("no TLS certificate is configured: clients can only log in over loopback with allow-cleartext-on-loopback");
        return Optional.empty();
    }

    public synchronized Map<String, InetSocketAddress> start() throws InterruptedException {
        Map<String, InetSocketAddress> addresses = gateway.start();
        admin.start();
        ready = true;
        return addresses;
    }

    public InetSocketAddress postgresAddress() {
        return gateway.addresses().get("postgres");
    }

    /** Where the MySQL listener is bound (null when it is off). */
    public InetSocketAddress mysqlAddress() {
        return gateway.addresses().get("mysql");
    }

    public int adminPort() {
        return admin.port();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public GatewayContext context() {
        return gateway.context();
    }

    public void stop(Duration grace) throws InterruptedException {
        ready = false;
        if (policyReloader != null) {
            try {
                policyReloader.close();
            } catch (java.io.IOException e) {
                log.debug("closing the policy watcher: {}", e.toString());
            }
        }
        gateway.stop(grace);
        // the sessions are gone and have said so: what they recorded is delivered before the process ends
        gateway.context().audit().pipeline().close(grace.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : grace);
        admin.stop();
    }

    @Override
    public void close() throws InterruptedException {
        stop(config.shutdown().grace());
    }
}
