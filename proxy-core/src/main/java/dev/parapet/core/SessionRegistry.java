package dev.parapet.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sessions open on this gateway, so that shutdown can drain them and metrics can count them. */
public final class SessionRegistry {

    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    /** How long the sessions closed at the end of the grace may take to write their last message. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final Map<Long, ProtocolSession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean draining;

    public long nextId() {
        return ids.incrementAndGet();
    }

    public void add(ProtocolSession session) {
        sessions.put(session.id(), session);
        if (draining) {
            session.shutdownWhenIdle();
        }
    }

    public void remove(ProtocolSession session) {
        sessions.remove(session.id());
    }

    public int size() {
        return sessions.size();
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Asks every session to end at its next idle point and waits up to {@code grace} for them;
     * whatever is still open then is closed. Returns the number of sessions closed by force.
     */
    public int drain(Duration grace) throws InterruptedException {
        draining = true;
        sessions.values().forEach(ProtocolSession::shutdownWhenIdle);
        long deadline = System.nanoTime() + grace.toNanos();
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        int forced = sessions.size();
        if (forced > 0) {
            log.warn("shutdown grace of {} is over: closing {} session(s) that are still busy", grace, forced);
            sessions.values().forEach(ProtocolSession::closeNow);
            // closeNow only schedules the close on each session's event loop. Wait for it: once the
            // loops shut down they drop their channels before running queued tasks, and the
            // clients would lose the error that tells them why.
            long closed = System.nanoTime() + CLOSE_WAIT.toNanos();
            while (!sessions.isEmpty() && System.nanoTime() < closed) {
                Thread.sleep(10);
            }
        }
        return forced;
    }
}
