package dev.parapet.audit;

import java.util.List;

/**
 * Where audit events go: a file, a database, a collector. The pipeline calls a sink from one
 * thread of its own, never from an event loop, with batches in the order the events happened; a
 * sink needs no locking of its own.
 *
 * <p>{@link #write} returns only once the whole batch is durably taken (written and flushed,
 * committed, acknowledged); when it throws, the pipeline keeps the batch, waits, and hands the same
 * events over again (spooling them to disk meanwhile), so a sink may see an event twice after a
 * failure that happened once the event was taken. Events carry a unique {@link AuditEvent#id()}
 * for that: a sink that can should ignore an id it has already stored.
 */
public interface AuditSink extends AutoCloseable {

    /** The sink's name, for metrics and logs. */
    String name();

    /** Stores {@code batch} durably, in order, or throws. */
    void write(List<AuditEvent> batch) throws Exception;

    /** Releases what the sink holds; called once, after the last write. */
    @Override
    void close();
}
