package dev.parapet.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's metrics, named once here so both protocols count the same things the same way.
 * Per-target meters are looked up once per session ({@link #target}), not once per statement.
 */
public final class GatewayMetrics {

    private final MeterRegistry registry;
    private final Map<String, TargetMeters> targets = new ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry registry, SessionRegistry sessions) {
        this.registry = registry;
        Gauge.builder("parapet.sessions.active", sessions, SessionRegistry::size)
                .description("Client sessions open now").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A client connection was accepted by a listener (before any login). */
    public void connectionOpened(String protocol) {
        registry.counter("parapet.connections", "protocol", protocol).increment();
    }

    /** A login or connect attempt was refused; {@code reason} is a short stable label. */
    public void loginRefused(String protocol, String reason) {
        registry.counter("parapet.logins.refused", "protocol", protocol, "reason", reason).increment();
    }

    /** Protocol errors from clients: malformed packets, oversized messages, timeouts. */
    public void clientProtocolError(String protocol, String reason) {
        registry.counter("parapet.client.errors", "protocol", protocol, "reason", reason).increment();
    }

    /** A statement refused by policy (before it reached the database). */
    public void statementDenied(String target, String rule) {
        registry.counter("parapet.statements.denied", "target", target, "rule", rule).increment();
    }

    /** A result whose rows are masked ({@code rule}: the mask rule) or narrowed begins. */
    public void resultRewritten(String target, String rule) {
        registry.counter("parapet.results.rewritten", "target", target, "rule", rule).increment();
    }

    /** A result refused because the gateway could not tell where its columns come from, or the catalog was unavailable. */
    public void resultRefused(String target) {
        registry.counter("parapet.results.refused", "target", target).increment();
    }

    public TargetMeters target(String target, String protocol) {
        return targets.computeIfAbsent(target + "/" + protocol, k -> new TargetMeters(registry, target, protocol));
    }

    /** Meters of one target, held by each of its sessions. */
    public static final class TargetMeters {
        private final Counter logins;
        private final Counter statements;
        private final Counter bytesToUpstream;
        private final Counter bytesToClient;
        private final Timer upstreamLatency;
        private final Timer upstreamConnect;
        private final Counter upstreamErrors;

        TargetMeters(MeterRegistry registry, String target, String protocol) {
            logins = Counter.builder("parapet.logins").tags("target", target, "protocol", protocol)
                    .description("Sessions that logged in and reached their upstream").register(registry);
            statements = Counter.builder("parapet.statements").tags("target", target, "protocol", protocol)
                    .description("Statements (simple queries and prepared-statement parses) relayed").register(registry);
            bytesToUpstream = Counter.builder("parapet.bytes").baseUnit("bytes")
                    .tags("target", target, "protocol", protocol, "direction", "to_upstream").register(registry);
            bytesToClient = Counter.builder("parapet.bytes").baseUnit("bytes")
                    .tags("target", target, "protocol", protocol, "direction", "to_client").register(registry);
            upstreamLatency = Timer.builder("parapet.upstream.latency").tags("target", target, "protocol", protocol)
                    .description("From a request sent upstream to the upstream's ready-for-query").register(registry);
            upstreamConnect = Timer.builder("parapet.upstream.connect").tags("target", target, "protocol", protocol)
                    .description("Upstream connect and authentication time").register(registry);
            upstreamErrors = Counter.builder("parapet.upstream.errors").tags("target", target, "protocol", protocol)
                    .description("Upstream connections that failed or were lost").register(registry);
        }

        public void login() { logins.increment(); }
        public void statement() { statements.increment(); }
        public void bytesToUpstream(int n) { bytesToUpstream.increment(n); }
        public void bytesToClient(int n) { bytesToClient.increment(n); }
        public void upstreamLatency(long nanos) { upstreamLatency.record(nanos, TimeUnit.NANOSECONDS); }
        public void upstreamConnect(long nanos) { upstreamConnect.record(nanos, TimeUnit.NANOSECONDS); }
        public void upstreamError() { upstreamErrors.increment(); }
    }
}
