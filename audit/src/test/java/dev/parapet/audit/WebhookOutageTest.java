package dev.parapet.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.parapet.config.AuditConfig;
import dev.parapet.config.AuditSinkConfig;
import dev.parapet.config.ByteSize;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook sink behind the real pipeline, against a receiver that fails for a while (server
 * errors, then answers slower than the sink waits, then takes a batch but answers too late): every
 * event arrives, at least once, and keeping the first copy of each {@code event.id} gives exactly
 * the events in the order they happened.
 */
class WebhookOutageTest {

    @TempDir
    Path dir;

    private enum Mode { OK, FAIL, SLOW, TAKE_THEN_SLOW }

    @Test
    void everyEventArrivesAtLeastOnceAndInOrderOnceDuplicatesAreDropped() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> received = new CopyOnWriteArrayList<>();
        Mode[] mode = {Mode.OK};
        int[] requests = {0};
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/events", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests[0]++;
            Mode now = mode[0];
            try {
                if (now == Mode.FAIL) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                if (now == Mode.TAKE_THEN_SLOW || now == Mode.OK) {
                    for (JsonNode event : json.readTree(body)) {
                        received.add(event.get("seq").asText() + "/" + event.get("event.id").asText());
                    }
                }
                if (now != Mode.OK) {
                    Thread.sleep(700); // longer than the sink waits
                }
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.start();
        try {
            AuditSink sink = new WebhookSink.Provider().create(new AuditSinkConfig("webhook", "siem",
                    Map.of("url", "http://127.0.0.1:" + server.getAddress().getPort() + "/events", "timeout", "300ms")),
                    new AuditContext("test", dir, Clock.systemUTC()));
            AuditConfig config = new AuditConfig(null, 10_000, 20, Duration.ofMillis(5), Duration.ofMillis(20),
                    Duration.ofMillis(100), dir.resolve("spool"), new ByteSize(1 << 20), List.of());
            AuditPipeline pipeline = AuditPipeline.start(config, List.of(sink), new SimpleMeterRegistry());
            int n = 0;
            for (Mode phase : new Mode[] {Mode.OK, Mode.FAIL, Mode.SLOW, Mode.TAKE_THEN_SLOW, Mode.OK}) {
                mode[0] = phase;
                for (int i = 0; i < 100; i++, n++) {
                    pipeline.record(AuditEvent.builder(AuditFields.STATEMENT, Instant.now()).session("s1")
                            .put("seq", Integer.toString(n)).build());
                    if (i % 10 == 0) {
                        Thread.sleep(10);
                    }
                }
                Thread.sleep(phase == Mode.OK ? 200 : 1_000);
            }
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (distinct(received).size() < n && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            pipeline.close(Duration.ofSeconds(5));
            List<String> seqs = new ArrayList<>();
            for (String id : distinct(received)) {
                seqs.add(id.substring(0, id.indexOf('/')));
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add(Integer.toString(i));
            }
            assertThat(seqs).as("first copies, in arrival order").containsExactlyElementsOf(expected);
            assertThat(received.size()).as("a batch taken but answered too late came again").isGreaterThan(n);
        } finally {
            server.stop(0);
        }
    }

    /** Each event id once, in the order first received. */
    private static List<String> distinct(List<String> received) {
        LinkedHashSet<String> ids = new LinkedHashSet<>(received);
        return List.copyOf(ids);
    }
}
