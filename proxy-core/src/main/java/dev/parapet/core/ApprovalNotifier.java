package dev.parapet.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.config.ApprovalNotifyConfig;
import dev.parapet.config.ApprovalsConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells approvers of a new approval request: POSTs it as JSON to each configured webhook, signed
 * when the webhook has a secret ({@code X-Parapet-Timestamp}, and {@code X-Parapet-Signature:
 * sha256=HEX} over {@code timestamp + "." + body}), trying three times with a doubling pause. Runs
 * on virtual threads; the returned future says which webhooks took the request.
 */
public final class ApprovalNotifier {

    private static final Logger log = LoggerFactory.getLogger(ApprovalNotifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ApprovalNotifyConfig> webhooks;
    private final dev.parapet.config.SlackConfig slack;
    private final JiraApprovals jira;
    private final String approveBase;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** {@code adminUrl}: where approvers reach the admin listener, for the links in the notification. */
    public ApprovalNotifier(ApprovalsConfig config, String adminUrl, Clock clock) {
        this.webhooks = config.webhooks();
        this.slack = config.slack();
        this.jira = config.jira() == null ? null : new JiraApprovals(config.jira());
        this.approveBase = (config.publicUrl() != null ? config.publicUrl() : adminUrl).replaceAll("/+$", "");
        this.clock = clock;
    }

    public boolean configured() {
        return !webhooks.isEmpty() || slack != null || jira != null;
    }

    /** The Jira integration, if configured (it reads the issues' transitions once started). */
    public java.util.Optional<JiraApprovals> jira() {
        return java.util.Optional.ofNullable(jira);
    }

    /** Sends {@code request} to every webhook; completes with the URLs (without query) of those that took it. */
    public CompletableFuture<List<String>> notify(Approvals.Request request) {
        CompletableFuture<List<String>> done = new CompletableFuture<>();
        if (!configured()) {
            done.complete(List.of());
            return done;
        }
        Thread.ofVirtual().name("approval-notify-" + request.id()).start(() -> {
            List<String> took = new ArrayList<>();
            byte[] body = body(request);
            for (ApprovalNotifyConfig webhook : webhooks) {
                if (send(webhook, body, request.id())) {
                    took.add(webhook.url().replaceAll("\\?.*", ""));
                }
            }
            if (slack != null && send(new ApprovalNotifyConfig("webhook", slack.webhookUrl(), null, java.util.Map.of(), null),
                    slackMessage(request), request.id())) {
                took.add("slack");
            }
            if (jira != null) {
                String key = jira.file(request);
                if (key != null) {
                    took.add("jira " + key);
                }
            }
            done.complete(took);
        });
        return done;
    }

    byte[] body(Approvals.Request request) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", request.id());
        out.put("rule", request.ruleId());
        out.put("reason", request.reason());
        out.put("mode", request.terms().mode().name().toLowerCase(java.util.Locale.ROOT));
        out.put("requester", request.requester().label());
        out.put("requester-subject", request.requester().subject());
        out.put("target", request.target());
        out.put("environment", request.environment());
        out.put("statement", request.redactedText());
        request.estimatedRows().ifPresent(rows -> out.put("estimated-rows", rows));
        out.put("created", request.created().toString());
        out.put("expires", request.expires().toString());
        out.put("approvers", request.terms().approvers().stream().sorted().toList());
        out.put("approvals-needed", request.terms().approvals());
        out.put("approve", approveBase + "/api/approvals/" + request.id() + "/approve");
        out.put("reject", approveBase + "/api/approvals/" + request.id() + "/reject");
        try {
            return JSON.writeValueAsBytes(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A Slack message for {@code request}: what and who, and Approve / Reject buttons whose value is its id. */
    byte[] slackMessage(Approvals.Request request) {
        String text = "*" + request.requester().label() + "* asks to run on *" + request.target() + "* (" + request.environment()
                + "):\n```" + request.redactedText() + "```\n"
                + request.estimatedRows().map(rows -> "The planner expects about " + rows + " rows.\n").orElse("")
                + "Rule `" + request.ruleId() + "`: " + request.reason()
                + "\nRequest `" + request.id() + "`, open until " + request.expires();
        Map<String, Object> section = Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", text));
        Map<String, Object> actions = Map.of("type", "actions", "block_id", "parapet-approval", "elements", List.of(
                Map.of("type", "button", "action_id", "approve", "style", "primary", "value", request.id(),
                        "text", Map.of("type", "plain_text", "text", "Approve")),
                Map.of("type", "button", "action_id", "reject", "style", "danger", "value", request.id(),
                        "text", Map.of("type", "plain_text", "text", "Reject"))));
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("text", "Approval request " + request.id() + " by " + request.requester().label() + " on " + request.target());
        message.put("blocks", List.of(section, actions));
        try {
            return JSON.writeValueAsBytes(message);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private boolean send(ApprovalNotifyConfig webhook, byte[] body, String id) {
        long pause = 500;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(webhook.url())).timeout(webhook.timeout())
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
                webhook.headers().forEach((name, value) -> builder.header(name, value.reveal()));
                if (webhook.secret() != null && !webhook.secret().isEmpty()) {
                    String timestamp = Long.toString(clock.instant().getEpochSecond());
                    builder.header("X-Parapet-Timestamp", timestamp)
                            .header("X-Parapet-Signature", "sha256=" + sign(webhook.secret().reveal(), timestamp, body));
                }
                HttpResponse<Void> response = http.send(builder.build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    return true;
                }
                log.warn("approval request {}: webhook {} answered {} (try {} of 3)", id, webhook.url().replaceAll("\\?.*", ""),
                        response.statusCode(), attempt);
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("approval request {}: webhook {} failed: {} (try {} of 3)", id, webhook.url().replaceAll("\\?.*", ""),
                        e.toString(), attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause *= 2;
        }
        return false;
    }

    /** The hex HMAC-SHA256 with {@code secret} of {@code timestamp + "." + body}. */
    public static String sign(String secret, String timestamp, byte[] body) {
        return hmacSha256Hex(secret, timestamp + ".", body);
    }

    /** The hex HMAC-SHA256 with {@code secret} of {@code prefix} followed by {@code body} (webhook and Slack signatures). */
    public static String hmacSha256Hex(String secret, String prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(prefix.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
