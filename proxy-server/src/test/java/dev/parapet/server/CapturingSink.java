package dev.parapet.server;

import dev.parapet.audit.AuditContext;
import dev.parapet.audit.AuditEvent;
import dev.parapet.audit.AuditSink;
import dev.parapet.audit.AuditSinkProvider;
import dev.parapet.config.AuditSinkConfig;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A sink of the tests' own, plugged in the way any third-party sink is (a ServiceLoader entry in
 * the test class path): it keeps events in memory, and can be switched off to play a sink that is
 * down.
 */
public final class CapturingSink implements AuditSink {

    public static final List<AuditEvent> EVENTS = new CopyOnWriteArrayList<>();
    public static volatile boolean down;

    private final String name;

    CapturingSink(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void write(List<AuditEvent> batch) throws Exception {
        if (down) {
            throw new java.io.IOException("the capture sink is switched off");
        }
        EVENTS.addAll(batch);
    }

    @Override
    public void close() {
    }

    /** Makes capture sinks. */
    public static final class Provider implements AuditSinkProvider {
        @Override
        public String type() {
            return "capture";
        }

        @Override
        public AuditSink create(AuditSinkConfig config, AuditContext context) {
            return new CapturingSink(config.name());
        }
    }
}
