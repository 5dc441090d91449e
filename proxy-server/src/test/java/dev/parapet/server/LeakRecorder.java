package dev.parapet.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects Netty's buffer-leak reports during tests (leak detection runs at PARANOID), so a test
 * can fail on them instead of the report scrolling by in a log.
 */
public final class LeakRecorder extends AppenderBase<ILoggingEvent> {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getFormattedMessage().contains("LEAK:")) {
            LEAKS.add(event.getFormattedMessage());
        }
    }

    /** Leak reports so far; forces a collection first so that leaked buffers get reported. */
    public static List<String> leaks() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            // Allocation is what makes the detector look at its queue of collected buffers.
            io.netty.buffer.ByteBufAllocator.DEFAULT.buffer(1).release();
            io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer(1).release();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return List.copyOf(LEAKS);
    }
}
