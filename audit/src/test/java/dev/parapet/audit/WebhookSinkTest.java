package dev.parapet.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parapet.config.AuditSinkConfig;
import dev.parapet.config.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookSinkTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final String TOKEN = "Bearer tok-9f8e7d";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    @Test
    void postsTheBatchAsOneJsonArray() throws Exception {
        Receiver receiver = receiver(0);
        AuditSink sink = sink(Map.of("url", receiver.url("/audit/events?tenant=7"), "headers", Map.of("Authorization", new Secret(TOKEN), "X-Team", "data")));
        List<AuditEvent> batch = List.of(event("alice@example.com"), event("bob@example.com"));

        sink.write(batch);

        Delivery delivery = receiver.only();
        assertThat(delivery.method()).isEqualTo("POST");
        assertThat(delivery.target()).isEqualTo("/audit/events?tenant=7");
        assertThat(new String(delivery.body(), StandardCharsets.UTF_8))
                .isEqualTo("[" + batch.get(0) + "," + batch.get(1) + "]");
        assertThat(delivery.headers().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(delivery.headers().getFirst("Authorization")).isEqualTo(TOKEN);
        assertThat(delivery.headers().getFirst("X-Team")).isEqualTo("data");
        assertThat(delivery.headers().containsKey(WebhookSink.SIGNATURE_HEADER)).isFalse();
        assertThat(delivery.headers().containsKey(WebhookSink.TIMESTAMP_HEADER)).isFalse();
        assertThat(delivery.ids()).containsExactly(batch.get(0).id(), batch.get(1).id());
    }

    @Test
    void signsTheTimestampAndTheBody() throws Exception {
        Receiver receiver = receiver(0);
        AuditSink sink = sink(Map.of("url", receiver.url("/audit"), "secret", new Secret("whsec-42")));

        sink.write(List.of(event("alice@example.com")));

        Delivery delivery = receiver.only();
        String timestamp = delivery.headers().getFirst(WebhookSink.TIMESTAMP_HEADER);
        String signature = delivery.headers().getFirst(WebhookSink.SIGNATURE_HEADER);
        assertThat(timestamp).isEqualTo("1748779200");
        assertThat(signature).isEqualTo("sha256=" + hmacHex("whsec-42", "1748779200." + delivery.text()));
        assertThat(signatureHolds("whsec-42", timestamp, delivery.body(), signature)).isTrue();
        assertThat(signatureHolds("another-secret", timestamp, delivery.body(), signature)).isFalse();
        assertThat(signatureHolds("whsec-42", "1748779201", delivery.body(), signature)).isFalse();
        byte[] changed = delivery.text().replace("alice", "mallory").getBytes(StandardCharsets.UTF_8);
        assertThat(signatureHolds("whsec-42", timestamp, changed, signature)).isFalse();
    }

    @Test
    void failsOnAServerErrorWithoutShowingTheHeadersSecrets() throws Exception {
        Receiver receiver = receiver(0);
        receiver.answer(new Answer(500, "database is down\nretry later", Map.of(), Duration.ZERO));
        AuditSink sink = sink(Map.of("url", receiver.url("/audit?token=q-secret"), "headers", Map.of("Authorization", new Secret(TOKEN))));
        List<AuditEvent> batch = List.of(event("alice@example.com"), event("bob@example.com"));

        assertThatThrownBy(() -> sink.write(batch))
                .isInstanceOf(IOException.class)
                .hasMessage("audit sink hook: http://127.0.0.1:" + receiver.port() + "/audit answered 500 to 2 events:"
                        + " database is down retry later")
                .message().doesNotContain("tok-9f8e7d").doesNotContain("q-secret");

        assertNextWriteDelivers(sink, batch, receiver);
    }

    @Test
    void failsOnTooManyRequests() throws Exception {
        Receiver receiver = receiver(0);
        receiver.answer(new Answer(429, "", Map.of("Retry-After", "30"), Duration.ZERO));
        AuditSink sink = sink(Map.of("url", receiver.url("/audit")));
        List<AuditEvent> batch = List.of(event("alice@example.com"));

        assertThatThrownBy(() -> sink.write(batch))
                .isInstanceOf(IOException.class)
                .hasMessageEndingWith("/audit answered 429 (Retry-After 30) to 1 event");

        assertNextWriteDelivers(sink, batch, receiver);
    }

    @Test
    void failsOnARedirect() throws Exception {
        Receiver receiver = receiver(0);
        receiver.answer(new Answer(307, "", Map.of("Location", "/elsewhere"), Duration.ZERO));
        AuditSink sink = sink(Map.of("url", receiver.url("/audit")));

        assertThatThrownBy(() -> sink.write(List.of(event("alice@example.com"))))
                .hasMessageContaining("answered 307");
        assertThat(receiver.deliveries).hasSize(1);
    }

    @Test
    void failsWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        AuditSink sink = sink(Map.of("url", "http://127.0.0.1:" + port + "/audit", "timeout", "2s"));
        List<AuditEvent> batch = List.of(event("alice@example.com"));

        long started = System.nanoTime();
        assertThatThrownBy(() -> sink.write(batch))
                .isInstanceOf(ConnectException.class)
                .hasMessageStartingWith("audit sink hook: cannot connect to http://127.0.0.1:" + port + "/audit");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));

        assertNextWriteDelivers(sink, batch, receiver(port));
    }

    @Test
    void failsWhenTheAnswerTakesLongerThanTheTimeout() throws Exception {
        Receiver receiver = receiver(0);
        receiver.answer(new Answer(200, "", Map.of(), Duration.ofSeconds(5)));
        AuditSink sink = sink(Map.of("url", receiver.url("/audit"), "timeout", "300ms"));
        List<AuditEvent> batch = List.of(event("alice@example.com"));

        long started = System.nanoTime();
        assertThatThrownBy(() -> sink.write(batch))
                .isInstanceOf(HttpTimeoutException.class)
                .hasMessage("audit sink hook: no answer from http://127.0.0.1:" + receiver.port() + "/audit within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));

        assertNextWriteDelivers(sink, batch, receiver);
    }

    @Test
    void aReceiverStoresEachEventOnceByItsIdWhenABatchComesAgain() throws Exception {
        // The receiver takes the events, but its answer comes too late: the sink reports a failure
        // and the pipeline hands the same batch over again.
        Receiver receiver = receiver(0);
        receiver.answer(new Answer(200, "", Map.of(), Duration.ofSeconds(2)));
        AuditSink sink = sink(Map.of("url", receiver.url("/audit"), "timeout", "300ms"));
        List<AuditEvent> batch = List.of(event("alice@example.com"), event("bob@example.com"), event("carol@example.com"));

        assertThatThrownBy(() -> sink.write(batch)).isInstanceOf(HttpTimeoutException.class);
        sink.write(batch);

        List<String> received = new ArrayList<>();
        Set<String> stored = new LinkedHashSet<>();
        for (Delivery delivery : receiver.deliveries) {
            received.addAll(delivery.ids());
            stored.addAll(delivery.ids());
        }
        List<String> ids = batch.stream().map(AuditEvent::id).toList();
        assertThat(received).hasSize(6).containsAll(ids);
        assertThat(stored).containsExactlyElementsOf(ids);
    }

    @Test
    void refusesSettingsItCannotUse() {
        assertThatThrownBy(() -> sink(Map.of())).hasMessage("audit sink hook: setting 'url' is required");
        assertThatThrownBy(() -> sink(Map.of("url", "ftp://example.com/audit")))
                .hasMessage("audit sink hook: url must be an http:// or https:// URL with a host");
        assertThatThrownBy(() -> sink(Map.of("url", "https://example.com/audit", "headers", Map.of("Host", "x"))))
                .hasMessageContaining("header Host cannot be sent");
        assertThatThrownBy(() -> sink(Map.of("url", "https://example.com/audit", "headers", Map.of("Authorization", new Secret("Bearer a\nb")))))
                .hasMessageContaining("header Authorization cannot be sent")
                .message().doesNotContain("Bearer");
        assertThatThrownBy(() -> sink(Map.of("url", "https://example.com/audit", "headers", Map.of("content-type", "text/plain"))))
                .hasMessage("audit sink hook: header content-type is set by the sink itself");
        assertThatThrownBy(() -> sink(Map.of("url", "https://example.com/audit", "secret", new Secret(""))))
                .hasMessageContaining("secret is empty");
        assertThatThrownBy(() -> sink(Map.of("url", "https://example.com/audit", "timeout", "0s")))
                .hasMessage("audit sink hook: timeout must be more than zero");
    }

    @Test
    void isFoundByItsType() {
        assertThat(ServiceLoader.load(AuditSinkProvider.class).stream().map(p -> p.get().type())).contains("webhook");
    }

    private void assertNextWriteDelivers(AuditSink sink, List<AuditEvent> batch, Receiver receiver) throws Exception {
        int before = receiver.deliveries.size();
        sink.write(batch);
        assertThat(receiver.deliveries).hasSize(before + 1);
        assertThat(receiver.deliveries.getLast().ids()).containsExactlyElementsOf(batch.stream().map(AuditEvent::id).toList());
    }

    private AuditSink sink(Map<String, Object> settings) throws Exception {
        AuditSink sink = new WebhookSink.Provider().create(new AuditSinkConfig("webhook", "hook", new HashMap<>(settings)),
                new AuditContext("gw-1", null, Clock.fixed(NOW, ZoneOffset.UTC)));
        opened.add(sink);
        return sink;
    }

    private Receiver receiver(int port) throws IOException {
        Receiver receiver = new Receiver(port);
        opened.add(receiver);
        return receiver;
    }

    private static AuditEvent event(String user) {
        return AuditEvent.builder(AuditFields.STATEMENT, NOW)
                .session("s-1")
                .put(AuditFields.USER_ID, user)
                .put(AuditFields.OPERATION, "SELECT")
                .put(AuditFields.TABLES_READ, List.of("public.orders"))
                .build();
    }

    /** HMAC-SHA256 as a receiver computes it, written apart from the sink's own. */
    private static String hmacHex(String secret, String signed) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    /** The receiver's check, as docs/audit-sinks.md describes it. */
    private static boolean signatureHolds(String secret, String timestamp, byte[] body, String header) throws Exception {
        String expected = "sha256=" + hmacHex(secret, timestamp + "." + new String(body, StandardCharsets.UTF_8));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), header.getBytes(StandardCharsets.US_ASCII));
    }

    /** One request as the receiver saw it. */
    record Delivery(String method, String target, Headers headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        List<String> ids() throws IOException {
            List<String> ids = new ArrayList<>();
            for (JsonNode event : JSON.readTree(body)) {
                ids.add(event.get("event.id").asText());
            }
            return ids;
        }
    }

    /** How the receiver answers one request. */
    record Answer(int status, String body, Map<String, String> headers, Duration delay) {
    }

    /** An HTTP endpoint on loopback that records each request and answers as told (200 when not told). */
    private static final class Receiver implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
        final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

        Receiver(int port) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            server.createContext("/", this::handle);
            server.setExecutor(threads);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        String url(String target) {
            return "http://127.0.0.1:" + port() + target;
        }

        void answer(Answer answer) {
            answers.add(answer);
        }

        Delivery only() {
            assertThat(deliveries).hasSize(1);
            return deliveries.getFirst();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                deliveries.add(new Delivery(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                        exchange.getRequestHeaders(), body));
                Answer answer = answers.poll();
                if (answer == null) {
                    answer = new Answer(200, "", Map.of(), Duration.ZERO);
                }
                Thread.sleep(answer.delay());
                answer.headers().forEach(exchange.getResponseHeaders()::set);
                byte[] text = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(answer.status(), text.length == 0 ? -1 : text.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(text);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
