package dev.parapet.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one sink from a thread of its own: takes events from its queue in batches and writes
 * them; when a write fails, keeps the batch, spools it and everything after it to disk (when the
 * sink has a spool), waits with a doubling backoff and tries again, oldest first, so the sink
 * receives every event in order. Events reach the sink at least once: a batch whose write failed
 * after the sink took part of it is written again whole.
 */
final class SinkWorker implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SinkWorker.class);

    private final AuditSink sink;
    private final ArrayBlockingQueue<AuditEvent> queue;
    private final AuditSpool spool;
    private final int batchSize;
    private final long flushNanos;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final int reserve;
    /** A batch taken from the queue and not yet written, kept while the sink is down and nothing can be spooled. */
    private final List<AuditEvent> pending = new ArrayList<>();
    private final Counter written;
    private final Counter failures;
    private final Counter lost;
    private volatile boolean failing;
    private volatile boolean spoolFull;
    private volatile String lastFailure = "";
    private volatile boolean stopping;
    private volatile long stopBy;
    private final Thread thread;

    SinkWorker(AuditSink sink, int queueSize, AuditSpool spool, int batchSize, Duration flush, Duration firstBackoff,
            Duration maxBackoff, MeterRegistry registry) {
        this.sink = sink;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.spool = spool;
        this.batchSize = batchSize;
        this.flushNanos = flush.toNanos();
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.reserve = Math.max(1, Math.min(1024, queueSize / 8));
        String name = sink.name();
        this.written = Counter.builder("parapet.audit.events").tag("sink", name).tag("result", "written")
                .description("Audit events a sink took").register(registry);
        this.lost = Counter.builder("parapet.audit.events").tag("sink", name).tag("result", "lost")
                .description("Audit events a sink could not take or hold").register(registry);
        this.failures = Counter.builder("parapet.audit.write.failures").tag("sink", name)
                .description("Failed writes to an audit sink (each retried)").register(registry);
        Gauge.builder("parapet.audit.queue.depth", queue, ArrayBlockingQueue::size).tag("sink", name)
                .description("Audit events waiting in memory for a sink").register(registry);
        if (spool != null) {
            Gauge.builder("parapet.audit.spool.bytes", spool, AuditSpool::pendingBytes).tag("sink", name)
                    .description("Bytes of audit events spooled to disk for a sink").register(registry);
        }
        this.thread = Thread.ofPlatform().daemon().name("parapet-audit-" + name).unstarted(this);
    }

    void start() {
        thread.start();
    }

    String name() {
        return sink.name();
    }

    /** Hands an event over; false when the sink cannot hold it (its queue is full). */
    boolean offer(AuditEvent event) {
        if (stopping || !queue.offer(event)) {
            lost.increment();
            return false;
        }
        return true;
    }

    /**
     * Whether events given now will be kept: the queue has room beyond a reserve (for the events
     * of statements already running), and the sink is not failing with nowhere on disk to go.
     */
    boolean canRecord() {
        return queue.remainingCapacity() > reserve && !(failing && (spool == null || spoolFull));
    }

    /** Why the sink cannot record, for logs and error messages; "" when it can. */
    String problem() {
        if (canRecord()) {
            return "";
        }
        if (failing) {
            return "sink " + name() + " is failing (" + lastFailure + ")"
                    + (spool == null ? " and has no spool" : " and its spool is full");
        }
        return "sink " + name() + " is behind: " + queue.size() + " events wait";
    }

    @Override
    public void run() {
        long backoff = firstBackoff.toNanos();
        while (true) {
            if (stopping && (System.nanoTime() - stopBy > 0 || drained())) {
                break;
            }
            try {
                boolean wrote = spool != null && (!spool.isEmpty() || failing) ? fromSpool() : fromMemory();
                if (wrote) {
                    if (failing) {
                        log.info("audit sink {} writes again", name());
                    }
                    failing = false;
                    backoff = firstBackoff.toNanos();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                failures.increment();
                lastFailure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                if (!failing) {
                    log.warn("audit sink {} cannot write: {}; retrying{}", name(), lastFailure,
                            spool == null ? "" : ", spooling to disk meanwhile");
                }
                failing = true;
                try {
                    spoolQueue();
                    pause(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff = Math.min(backoff * 2, maxBackoff.toNanos());
            }
        }
        finish();
    }

    private boolean drained() {
        return queue.isEmpty() && pending.isEmpty() && (spool == null || spool.isEmpty());
    }

    /**
     * Writes the next batch from memory; false when there was none. The thread does not wait on the
     * queue (each event would then wake it): it looks every flush interval and takes what came
     * meanwhile, so the sessions' threads hand events over without waking anyone, and the sink gets
     * few, large batches (each one a write and, for the file sink, an fsync).
     */
    private boolean fromMemory() throws Exception {
        if (pending.isEmpty()) {
            if (queue.isEmpty()) {
                LockSupport.parkNanos(flushNanos);
                if (queue.isEmpty()) {
                    return false;
                }
            }
            queue.drainTo(pending, batchSize);
        }
        try {
            sink.write(List.copyOf(pending));
        } catch (Exception e) {
            if (spool != null && spool.fits(bytes(pending))) {
                spool.append(pending);
                pending.clear();
            }
            throw e;
        }
        written.increment(pending.size());
        pending.clear();
        return true;
    }

    /** Moves what waits in memory to the spool (keeping the order), then writes the oldest spooled batch. */
    private boolean fromSpool() throws Exception {
        spoolQueue();
        AuditSpool.Batch batch = spool.peek(batchSize);
        if (batch.events().isEmpty()) {
            if (failing) {
                // nothing spooled (it was full or empty): try what waits in memory
                return fromMemory();
            }
            return false;
        }
        sink.write(batch.events());
        spool.taken(batch.endPosition());
        written.increment(batch.events().size());
        return true;
    }

    /** While the sink is failing or its spool is being replayed, new events go behind the spooled ones. */
    private void spoolQueue() {
        if (spool == null) {
            return;
        }
        try {
            if (!pending.isEmpty()) {
                if (!spool.fits(bytes(pending))) {
                    spoolFull = true;
                    return;
                }
                spool.append(pending);
                pending.clear();
            }
            List<AuditEvent> moving = new ArrayList<>();
            while (!queue.isEmpty()) {
                moving.clear();
                queue.drainTo(moving, batchSize);
                if (!spool.fits(bytes(moving))) {
                    pending.addAll(moving); // kept in memory, in order, ahead of what is still queued
                    spoolFull = true;
                    return;
                }
                spool.append(moving);
            }
            spoolFull = false;
        } catch (IOException e) {
            spoolFull = true;
            lastFailure = lastFailure + "; spool: " + e.getMessage();
        }
    }

    private static long bytes(List<AuditEvent> events) {
        long total = 0;
        for (AuditEvent event : events) {
            total += event.json().length + 1;
        }
        return total;
    }

    private void pause(long nanos) throws InterruptedException {
        long until = System.nanoTime() + nanos;
        while (!stopping || System.nanoTime() - stopBy < 0) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
            if (stopping && drained()) {
                return;
            }
        }
    }

    /** At the end: what could not be written goes to the spool, where the next start finds it. */
    private void finish() {
        List<AuditEvent> left = new ArrayList<>(pending);
        queue.drainTo(left);
        if (!left.isEmpty()) {
            if (spool != null && spool.fits(bytes(left))) {
                try {
                    spool.append(left);
                    log.info("audit sink {}: {} events spooled for the next start", name(), left.size());
                    left.clear();
                } catch (IOException e) {
                    log.error("audit sink {}: cannot spool {} events: {}", name(), left.size(), e.getMessage());
                }
            }
            if (!left.isEmpty()) {
                lost.increment(left.size());
                log.error("audit sink {}: {} events lost at shutdown", name(), left.size());
            }
        }
        try {
            sink.close();
        } catch (RuntimeException e) {
            log.warn("audit sink {}: close failed: {}", name(), e.getMessage());
        }
        if (spool != null) {
            try {
                spool.close();
            } catch (IOException e) {
                log.warn("audit sink {}: closing the spool failed: {}", name(), e.getMessage());
            }
        }
    }

    /** Stops taking events and writes what waits, for at most {@code grace}. */
    void stop(Duration grace) {
        stopBy = System.nanoTime() + grace.toNanos();
        stopping = true;
    }

    void join(Duration grace) throws InterruptedException {
        thread.join(Math.max(1, grace.toMillis()));
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
