package dev.parapet.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.config.SlackConfig;
import dev.parapet.core.ApprovalNotifier;
import dev.parapet.core.Approvals;
import dev.parapet.core.Identity;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's button presses on approval messages: {@code POST /api/slack/actions}. A press counts only
 * when Slack signed it (the {@code v0} HMAC-SHA256 of {@code v0:timestamp:body} with the app's
 * signing secret) within the last five minutes, and when its Slack user is one the configuration
 * names; the decision then goes through the same approver rules as any other.
 */
final class SlackActions {

    private static final Logger log = LoggerFactory.getLogger(SlackActions.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_AGE_SECONDS = 300;

    private final SlackConfig slack;
    private final Approvals approvals;
    private final Clock clock;

    SlackActions(SlackConfig slack, Approvals approvals, Clock clock) {
        this.slack = slack;
        this.approvals = approvals;
        this.clock = clock;
    }

    void register(Javalin app) {
        app.post("/api/slack/actions", this::handle);
    }

    private void handle(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        String timestamp = ctx.header("X-Slack-Request-Timestamp");
        String signature = ctx.header("X-Slack-Signature");
        String refused = check(timestamp, signature, body);
        if (refused != null) {
            log.warn("slack action refused from {}: {}", ctx.ip(), refused);
            ctx.status(401).json(Map.of("error", refused));
            return;
        }
        try {
            String form = new String(body, StandardCharsets.UTF_8);
            String payload = null;
            for (String pair : form.split("&")) {
                if (pair.startsWith("payload=")) {
                    payload = URLDecoder.decode(pair.substring("payload=".length()), StandardCharsets.UTF_8);
                }
            }
            JsonNode action = payload == null ? null : JSON.readTree(payload);
            JsonNode pressed = action == null ? null : action.path("actions").path(0);
            if (pressed == null || pressed.isMissingNode()) {
                ctx.status(400).json(Map.of("error", "no action in the payload"));
                return;
            }
            String slackUser = action.path("user").path("id").asText();
            SlackConfig.SlackUser who = slack.users().get(slackUser);
            if (who == null) {
                ctx.json(Map.of("text", "You are not known to the gateway as an approver (Slack user " + slackUser + ").",
                        "replace_original", false));
                return;
            }
            Identity approver = new Identity(who.subject(), who.name(), "", Set.copyOf(who.groups()), Identity.Kind.HUMAN,
                    "slack", Map.of());
            String id = pressed.path("value").asText();
            boolean approve = pressed.path("action_id").asText().equals("approve");
            Approvals.Request request = approve ? approvals.approve(id, approver)
                    : approvals.reject(id, approver, "rejected in Slack");
            log.info("approval request {} {} in Slack by {}", id, approve ? "approved" : "rejected", who.subject());
            ctx.json(Map.of("text", "Request " + id + ": " + request.state() + " (" + (approve ? "approved" : "rejected")
                    + " by " + who.name() + ")", "replace_original", false));
        } catch (Approvals.RefusedDecision e) {
            ctx.json(Map.of("text", e.getMessage(), "replace_original", false));
        } catch (java.io.IOException | RuntimeException e) {
            ctx.status(400).json(Map.of("error", "the payload is not a Slack action"));
        }
    }

    /** Why a press is not Slack's, or null when it is. */
    String check(String timestamp, String signature, byte[] body) {
        if (timestamp == null || signature == null) {
            return "not signed by Slack";
        }
        long at;
        try {
            at = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return "a bad timestamp";
        }
        if (Math.abs(clock.instant().getEpochSecond() - at) > MAX_AGE_SECONDS) {
            return "a stale timestamp (a replay?)";
        }
        String expected = "v0=" + ApprovalNotifier.hmacSha256Hex(slack.signingSecret().reveal(), "v0:" + timestamp.trim() + ":", body);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.trim().getBytes(StandardCharsets.US_ASCII))) {
            return "a bad signature";
        }
        return null;
    }
}
