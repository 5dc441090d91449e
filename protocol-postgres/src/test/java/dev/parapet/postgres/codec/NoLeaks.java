package dev.parapet.postgres.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector (at PARANOID in tests, see the parent pom) reports a
 * buffer that was collected without being released. Leaks show up only after a collection, so
 * each test ends with one.
 */
final class NoLeaks implements BeforeAllCallback, AfterEachCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ByteBufUtil.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // Loading this class installed the listener.
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(20);
            // The detector looks at its queue of collected buffers when a buffer is allocated.
            ByteBufAllocator.DEFAULT.buffer(1).release();
            Wire.ALLOC.buffer(1).release();
        }
        List<String> leaks = List.copyOf(LEAKS);
        LEAKS.clear();
        assertThat(leaks).as("Netty buffer leaks reported after %s", context.getDisplayName()).isEmpty();
    }
}
