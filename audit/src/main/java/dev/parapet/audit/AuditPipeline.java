package dev.parapet.audit;

import dev.parapet.config.AuditConfig;
import dev.parapet.config.AuditSinkConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes audit events from the gateway's threads and delivers them to every configured sink,
 * asynchronously: {@link #record} only puts the event on each sink's bounded queue, and a thread
 * per sink does the writing, batching, retrying and spooling (see {@link SinkWorker}). Nothing
 * here blocks the caller.
 *
 * <p>{@link #canRecord()} says whether events given now will be kept by every sink: what a
 * fail-closed target checks before it lets a statement run.
 */
public final class AuditPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditPipeline.class);

    private static final AuditPipeline NONE = new AuditPipeline(List.of());

    private final List<SinkWorker> workers;
    private volatile boolean closed;

    private AuditPipeline(List<SinkWorker> workers) {
        this.workers = List.copyOf(workers);
    }

    /** A pipeline with no sinks: records nothing, and never refuses. */
    public static AuditPipeline none() {
        return NONE;
    }

    /**
     * Starts the sinks {@code config} lists, found by type among the {@link AuditSinkProvider}s on
     * the class path, each with a spool under {@code config.spoolDirectory()/<sink name>} when a
     * spool directory is set. Events left in a spool by an earlier run are delivered first.
     *
     * @throws IllegalArgumentException when a sink type is unknown or a sink's settings are wrong
     */
    public static AuditPipeline start(AuditConfig config, AuditContext context, MeterRegistry registry) throws Exception {
        if (!config.enabled()) {
            return NONE;
        }
        Map<String, AuditSinkProvider> providers = new HashMap<>();
        for (AuditSinkProvider provider : ServiceLoader.load(AuditSinkProvider.class)) {
            providers.putIfAbsent(provider.type(), provider);
        }
        List<AuditSink> sinks = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        try {
            for (AuditSinkConfig sinkConfig : config.sinks()) {
                AuditSinkProvider provider = providers.get(sinkConfig.type());
                if (provider == null) {
                    throw new IllegalArgumentException("unknown audit sink type '" + sinkConfig.type() + "' (known: "
                            + String.join(", ", providers.keySet().stream().sorted().toList()) + ")");
                }
                int n = names.merge(sinkConfig.name(), 1, Integer::sum);
                AuditSinkConfig named = n == 1 ? sinkConfig
                        : new AuditSinkConfig(sinkConfig.type(), sinkConfig.name() + "-" + n, sinkConfig.settings());
                sinks.add(provider.create(named, context));
            }
        } catch (Exception e) {
            sinks.forEach(AuditSink::close);
            throw e;
        }
        return start(config, sinks, registry);
    }

    /** Starts delivery to {@code sinks} (already made) with {@code config}'s pipeline settings. */
    public static AuditPipeline start(AuditConfig config, List<AuditSink> sinks, MeterRegistry registry) throws Exception {
        List<SinkWorker> workers = new ArrayList<>();
        for (AuditSink sink : sinks) {
            AuditSpool spool = null;
            if (config.spoolDirectory() != null) {
                Path directory = config.spoolDirectory().resolve(sink.name().replaceAll("[^A-Za-z0-9._-]", "_"));
                spool = new AuditSpool(directory, config.spoolMaxSize().bytes());
                if (!spool.isEmpty()) {
                    log.info("audit sink {}: {} bytes of events spooled by an earlier run are delivered first",
                            sink.name(), spool.pendingBytes());
                }
            }
            workers.add(new SinkWorker(sink, config.queueSize(), spool, config.batchSize(), config.flushInterval(),
                    config.retryBackoff(), config.retryBackoffMax(), registry));
        }
        AuditPipeline pipeline = new AuditPipeline(workers);
        Gauge.builder("parapet.audit.recording", pipeline, p -> p.canRecord() ? 1 : 0)
                .description("1 while every audit sink keeps the events it is given, 0 otherwise").register(registry);
        workers.forEach(SinkWorker::start);
        return pipeline;
    }

    /** Whether any sink is configured. */
    public boolean enabled() {
        return !workers.isEmpty();
    }

    /**
     * Hands {@code event} to every sink. Never blocks. False when some sink could not take it
     * (its queue is full, or the pipeline is closed): the event is then lost for that sink, and
     * counted.
     */
    public boolean record(AuditEvent event) {
        boolean all = true;
        for (SinkWorker worker : workers) {
            all &= worker.offer(event);
        }
        return all && !closed;
    }

    /** Whether every sink keeps the events given now (in memory, written, or spooled to disk). */
    public boolean canRecord() {
        if (closed) {
            return workers.isEmpty();
        }
        for (SinkWorker worker : workers) {
            if (!worker.canRecord()) {
                return false;
            }
        }
        return true;
    }

    /** Why events cannot be recorded now, in a sentence; "" when they can. */
    public String problem() {
        List<String> problems = new ArrayList<>();
        for (SinkWorker worker : workers) {
            String problem = worker.problem();
            if (!problem.isEmpty()) {
                problems.add(problem);
            }
        }
        return String.join("; ", problems);
    }

    /**
     * Stops taking events and delivers what waits, for at most {@code grace}; what is still
     * undelivered then goes to the spools (delivered at the next start), or is counted lost when a
     * sink has none.
     */
    public void close(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        workers.forEach(worker -> worker.stop(grace));
        for (SinkWorker worker : workers) {
            try {
                worker.join(grace.plusSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
