package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A slow client must not make the gateway buffer a large result: a gateway whose heap and direct
 * memory are capped at 64 MB streams a result several times that size to a client that reads at a
 * crawl, without running out of memory and with its memory use flat.
 */
class BackpressureIT {

    private static final int ROWS = 300_000;
    private static final int ROW_WIDTH = 1000;
    private static final long MB = 1024 * 1024;

    @Test
    void streamsAResultManyTimesTheHeapToASlowReader() throws Exception {
        GatewayFixture.prepareDatabase();
        Path jar = Path.of("target", "parapet.jar").toAbsolutePath();
        assertThat(jar).as("the packaged gateway").exists();
        GatewayFixture.ProcessConfig config = GatewayFixture.processConfig("backpressure", "");
        int port = config.port();
        int adminPort = config.adminPort();
        Path dir = config.dir();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process gateway = new ProcessBuilder(java, "-Xmx64m", "-XX:MaxDirectMemorySize=64m",
                "-jar", jar.toString(), "serve", "--config", config.file().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("gateway.log").toFile()).start();
        try {
            waitForReady(adminPort);
            MemoryWatch watch = new MemoryWatch(adminPort, gateway.pid());
            watch.start();
            long rows;
            long bytes;
            try (RawPgConnection client = RawPgConnection.open(port)) {
                client.login("alice", "alice-pw", "it");
                client.socket().setSoTimeout(30_000);
                client.sendQuery("select repeat('x', " + ROW_WIDTH + ") from generate_series(1, " + ROWS + ")");
                long[] counted = readSlowly(client.socket().getInputStream());
                rows = counted[0];
                bytes = counted[1];
            } finally {
                watch.interrupt();
                watch.join();
            }
            long rssGrowth = watch.maxRss.get() - watch.baselineRss.get();
            System.out.printf("streamed %d rows, %d MB; gateway peak heap %d MB, peak direct buffers %d KB,"
                    + " resident memory %d MB at start and %d MB at peak (%d samples)%n",
                    rows, bytes / MB, watch.maxHeap.get() / MB, watch.maxDirect.get() / 1024,
                    watch.baselineRss.get() / MB, watch.maxRss.get() / MB, watch.samples.get());
            assertThat(gateway.isAlive()).as("gateway still running; log:\n%s", log(dir)).isTrue();
            assertThat(rows).isEqualTo(ROWS);
            assertThat(bytes).as("bytes streamed").isGreaterThan(4 * 64 * MB);
            assertThat(watch.samples.get()).as("memory samples taken").isGreaterThan(5);
            assertThat(watch.maxDirect.get()).as("peak direct buffer memory").isLessThan(16 * MB);
            assertThat(watch.maxHeap.get()).as("peak heap in use").isLessThan(56 * MB);
            assertThat(rssGrowth).as("growth of the gateway's resident memory while streaming").isLessThan(64 * MB);
            assertThat(log(dir)).doesNotContain("OutOfMemoryError");
        } finally {
            gateway.destroy();
            gateway.waitFor(20, TimeUnit.SECONDS);
            gateway.destroyForcibly();
        }
    }

    /** Reads the whole result in small bites with pauses: about 20 MB/s. Returns {rows, bytes}. */
    private static long[] readSlowly(InputStream in) throws IOException, InterruptedException {
        byte[] chunk = new byte[32 * 1024];
        long bytes = 0;
        long rows = 0;
        // Walk message boundaries across chunks: tag (1) + length (4) + body.
        int headerFill = 0;
        byte[] header = new byte[5];
        long bodyRemaining = 0;
        boolean done = false;
        while (!done) {
            int n = in.read(chunk);
            if (n < 0) {
                throw new IOException("connection closed before ReadyForQuery after " + rows + " rows");
            }
            bytes += n;
            int i = 0;
            while (i < n) {
                if (bodyRemaining > 0) {
                    int take = (int) Math.min(bodyRemaining, n - i);
                    bodyRemaining -= take;
                    i += take;
                    continue;
                }
                header[headerFill++] = chunk[i++];
                if (headerFill == 5) {
                    headerFill = 0;
                    char tag = (char) header[0];
                    int length = ((header[1] & 0xff) << 24) | ((header[2] & 0xff) << 16) | ((header[3] & 0xff) << 8) | (header[4] & 0xff);
                    bodyRemaining = length - 4;
                    if (tag == 'D') {
                        rows++;
                    } else if (tag == 'E') {
                        throw new IOException("the query failed");
                    } else if (tag == 'Z') {
                        done = true;
                    }
                }
            }
            Thread.sleep(1);
        }
        return new long[] {rows, bytes};
    }

    /** Samples the gateway's own heap and direct-buffer gauges from its /metrics endpoint. */
    private static final class MemoryWatch extends Thread {
        private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.E+]+)");
        private static final Pattern DIRECT = Pattern.compile("(?m)^jvm_buffer_memory_used_bytes\\{id=\"direct\"} ([0-9.E+]+)");
        final AtomicLong maxHeap = new AtomicLong();
        final AtomicLong maxDirect = new AtomicLong();
        final AtomicLong samples = new AtomicLong();
        private final HttpClient http = HttpClient.newHttpClient();
        private final URI uri;

        private final Path status;
        final AtomicLong baselineRss = new AtomicLong();
        final AtomicLong maxRss = new AtomicLong();

        MemoryWatch(int adminPort, long pid) {
            super("memory-watch");
            status = Path.of("/proc/" + pid + "/status");
            setDaemon(true);
            uri = URI.create("http://127.0.0.1:" + adminPort + "/metrics");
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                try {
                    String body = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    long heap = 0;
                    Matcher m = HEAP.matcher(body);
                    while (m.find()) {
                        heap += (long) Double.parseDouble(m.group(1));
                    }
                    Matcher d = DIRECT.matcher(body);
                    long direct = d.find() ? (long) Double.parseDouble(d.group(1)) : 0;
                    long rss = rss();
                    baselineRss.compareAndSet(0, rss);
                    maxRss.accumulateAndGet(rss, Math::max);
                    maxHeap.accumulateAndGet(heap, Math::max);
                    maxDirect.accumulateAndGet(direct, Math::max);
                    samples.incrementAndGet();
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    // the gateway is busy or gone; the main assertions will tell
                }
            }
        }

        /** The process's resident memory in bytes, from /proc (0 where there is no /proc). */
        private long rss() throws IOException {
            if (!Files.exists(status)) {
                return 0;
            }
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
            return 0;
        }
    }

    private static void waitForReady(int adminPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the gateway did not become ready");
    }


    private static String log(Path dir) throws IOException {
        return Files.readString(dir.resolve("gateway.log"));
    }
}
