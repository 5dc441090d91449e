package dev.parapet.audit;

import dev.parapet.config.AuditSinkConfig;
import dev.parapet.config.Secret;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Events POSTed to an HTTP endpoint, one JSON array per batch; a 2xx answer means the receiver
 * took them. With a {@code secret}, each request carries an HMAC-SHA256 of
 * {@code timestamp + "." + body} so the receiver can tell the events came from the gateway and were
 * not changed or replayed later (docs/audit-sinks.md shows how to check it).
 *
 * <p>Owns its {@link HttpClient}. A write waits at most {@code timeout} in all, connecting,
 * sending and reading the answer included.
 */
final class WebhookSink implements AuditSink {

    static final String SIGNATURE_HEADER = "X-Parapet-Signature";
    static final String TIMESTAMP_HEADER = "X-Parapet-Timestamp";

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final String HMAC = "HmacSHA256";
    /** Headers the sink sets itself; configuring them would only confuse a receiver. */
    private static final Set<String> OWN_HEADERS = Set.of("content-type",
            SIGNATURE_HEADER.toLowerCase(Locale.ROOT), TIMESTAMP_HEADER.toLowerCase(Locale.ROOT));

    private final String name;
    private final URI url;
    private final String shownUrl;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final Mac signer;
    private final Clock clock;
    private final HttpClient client;

    /** {@code signer} is null for unsigned requests. */
    WebhookSink(String name, URI url, Map<String, String> headers, Duration timeout, Mac signer, Clock clock) {
        this.name = name;
        this.url = url;
        this.shownUrl = withoutSecrets(url);
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.signer = signer;
        this.clock = clock;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                // Plain http stays on HTTP/1.1: an h2c upgrade offer on a POST trips up some receivers.
                .version(url.getScheme().equals("https") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void write(List<AuditEvent> batch) throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        byte[] body = jsonArray(batch);
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        request.setHeader("Content-Type", "application/json");
        if (signer != null) {
            String timestamp = Long.toString(clock.instant().getEpochSecond());
            request.setHeader(TIMESTAMP_HEADER, timestamp);
            request.setHeader(SIGNATURE_HEADER, "sha256=" + sign(timestamp, body));
        }

        CompletableFuture<HttpResponse<String>> exchange = client.sendAsync(request.build(), info -> new ResponseExcerpt());
        HttpResponse<String> response;
        try {
            // The request's own timeout ends at the answer's headers; this one covers its body too.
            response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw noAnswer();
        } catch (ExecutionException e) {
            throw failed(e.getCause(), batch.size());
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw e;
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            String retryAfter = response.headers().firstValue("Retry-After").map(v -> " (Retry-After " + v + ")").orElse("");
            String excerpt = response.body().isEmpty() ? "" : ": " + response.body();
            throw new IOException("audit sink " + name + ": " + shownUrl + " answered " + status + retryAfter
                    + " to " + count(batch.size()) + excerpt);
        }
    }

    private IOException failed(Throwable cause, int events) {
        if (cause instanceof HttpTimeoutException) {
            return noAnswer();
        }
        if (cause instanceof ConnectException) {
            return new ConnectException("audit sink " + name + ": cannot connect to " + shownUrl
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        return new IOException("audit sink " + name + ": sending " + count(events) + " to " + shownUrl + " failed: "
                + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
    }

    private HttpTimeoutException noAnswer() {
        return new HttpTimeoutException("audit sink " + name + ": no answer from " + shownUrl + " within "
                + timeout.toMillis() + " ms");
    }

    private static String count(int events) {
        return events == 1 ? "1 event" : events + " events";
    }

    /** The events' JSON lines as one array: {@code [e1,e2,...]}. */
    private static byte[] jsonArray(List<AuditEvent> batch) {
        int length = 1 + batch.size();
        for (AuditEvent event : batch) {
            length += event.json().length;
        }
        byte[] body = new byte[length];
        int at = 0;
        body[at++] = '[';
        for (AuditEvent event : batch) {
            if (at > 1) {
                body[at++] = ',';
            }
            byte[] json = event.json();
            System.arraycopy(json, 0, body, at, json.length);
            at += json.length;
        }
        body[at] = ']';
        return body;
    }

    private String sign(String timestamp, byte[] body) {
        signer.update(timestamp.getBytes(StandardCharsets.US_ASCII));
        signer.update((byte) '.');
        return HexFormat.of().formatHex(signer.doFinal(body));
    }

    /** The url as messages show it: no user information, no query (either may hold a token). */
    private static String withoutSecrets(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    /**
     * Keeps the start of an answer's body, tidied to one short line for an error message, and lets
     * the rest go by: a receiver's error page can be any size.
     */
    private static final class ResponseExcerpt implements HttpResponse.BodySubscriber<String> {
        private static final int KEEP_BYTES = 600;
        private static final int SHOW_CHARS = 200;

        private final ByteBuffer kept = ByteBuffer.allocate(KEEP_BYTES);
        private final CompletableFuture<String> text = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                int take = Math.min(buffer.remaining(), kept.remaining());
                kept.put(buffer.slice(buffer.position(), take));
            }
        }

        @Override
        public void onError(Throwable error) {
            text.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            String all = new String(kept.array(), 0, kept.position(), StandardCharsets.UTF_8);
            String line = all.replaceAll("\\p{Cntrl}+", " ").strip();
            text.complete(line.length() <= SHOW_CHARS ? line : line.substring(0, SHOW_CHARS) + "...");
        }

        @Override
        public CompletionStage<String> getBody() {
            return text;
        }
    }

    /** Makes webhook sinks. */
    public static final class Provider implements AuditSinkProvider {
        @Override
        public String type() {
            return "webhook";
        }

        @Override
        public AuditSink create(AuditSinkConfig config, AuditContext context) {
            String prefix = "audit sink " + config.name() + ": ";
            String written = config.required("url");
            URI url;
            try {
                url = URI.create(written);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + "url is not a URL", e);
            }
            if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException(prefix + "url must be an http:// or https:// URL with a host");
            }
            Map<String, String> headers = config.map("headers");
            headers.forEach((header, value) -> {
                if (OWN_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException(prefix + "header " + header + " is set by the sink itself");
                }
                try {
                    HttpRequest.newBuilder(url).header(header, value);
                } catch (IllegalArgumentException e) {
                    // The JDK's message may quote the value, which may be a secret.
                    throw new IllegalArgumentException(prefix + "header " + header
                            + " cannot be sent (a name HTTP reserves, or characters a header cannot hold)");
                }
            });
            Duration timeout;
            try {
                timeout = config.duration("timeout", DEFAULT_TIMEOUT);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + "timeout: " + e.getMessage(), e);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException(prefix + "timeout must be more than zero");
            }
            Mac signer = null;
            Secret secret = config.secret("secret").orElse(null);
            if (secret != null) {
                if (secret.isEmpty()) {
                    throw new IllegalArgumentException(prefix + "secret is empty (leave it out to send unsigned requests)");
                }
                try {
                    signer = Mac.getInstance(HMAC);
                    signer.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), HMAC));
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("this JVM cannot compute " + HMAC, e);
                }
            }
            return new WebhookSink(config.name(), url, headers, timeout, signer,
                    context.clock() == null ? Clock.systemUTC() : context.clock());
        }
    }
}
