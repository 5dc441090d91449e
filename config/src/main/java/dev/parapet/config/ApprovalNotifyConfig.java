package dev.parapet.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One place approval requests are sent to. {@code type: webhook}: each new request is POSTed as
 * JSON to {@code url}, with {@code headers} (values may be secrets) and, with a {@code secret}, an
 * HMAC-SHA256 signature of the timestamp and body in {@code X-Parapet-Signature}.
 */
public record ApprovalNotifyConfig(String type, String url, Secret secret, Map<String, Secret> headers, Duration timeout) {

    public ApprovalNotifyConfig {
        type = type == null ? "webhook" : type;
        if (!type.equals("webhook")) {
            throw new IllegalArgumentException("unknown approval notifier type '" + type + "' (expected webhook)");
        }
        Objects.requireNonNull(url, "an approval webhook needs a 'url'");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
    }
}
