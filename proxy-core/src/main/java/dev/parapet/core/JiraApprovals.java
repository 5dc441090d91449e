package dev.parapet.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.config.JiraConfig;
import dev.parapet.config.SlackConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approval requests as Jira issues: {@link #file} creates one per request through Jira's REST API
 * (v2), and a thread reads the open ones every poll interval; an issue moved to the approved or
 * rejected status decides its request, as the Jira account that moved it (found in the issue's
 * changelog), under the same approver rules as any other approver.
 */
public final class JiraApprovals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JiraApprovals.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JiraConfig jira;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Request id → issue key, for the requests still waiting. */
    private final Map<String, String> issues = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().daemon().name("parapet-jira").unstarted(task));
    private volatile Approvals approvals;

    public JiraApprovals(JiraConfig jira) {
        this.jira = jira;
        this.base = jira.url().replaceAll("/+$", "");
    }

    /** Starts reading the issues, deciding requests in {@code approvals}. */
    public void start(Approvals approvals) {
        this.approvals = approvals;
        long every = Math.max(50, jira.pollInterval().toMillis());
        poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
    }

    private HttpRequest.Builder call(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json");
        if (jira.user() != null && jira.apiToken() != null) {
            builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (jira.user() + ":" + jira.apiToken().reveal()).getBytes(StandardCharsets.UTF_8)));
        }
        return builder;
    }

    /** Creates the request's issue; the issue key, or null when Jira did not take it. */
    public String file(Approvals.Request request) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("project", Map.of("key", jira.project()));
        fields.put("issuetype", Map.of("name", jira.issueType()));
        fields.put("summary", "Approval request " + request.id() + ": " + request.requester().label() + " on "
                + request.target() + " (rule " + request.ruleId() + ")");
        fields.put("description", request.requester().label() + " asks to run on " + request.target() + " ("
                + request.environment() + "):\n{code:sql}\n" + request.redactedText() + "\n{code}\n"
                + request.estimatedRows().map(rows -> "The planner expects about " + rows + " rows.\n").orElse("") + "Rule " + request.ruleId()
                + ": " + request.reason() + "\nMove this issue to \"" + jira.approvedStatus() + "\" to approve it, or to \""
                + jira.rejectedStatus() + "\" to reject it, before " + request.expires() + ".");
        fields.put("labels", List.of("parapet-approval"));
        try {
            HttpResponse<String> response = http.send(call("/rest/api/2/issue").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(Map.of("fields", fields)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                log.warn("approval request {}: Jira answered {} to the new issue", request.id(), response.statusCode());
                return null;
            }
            String key = JSON.readTree(response.body()).path("key").asText(null);
            if (key != null) {
                issues.put(request.id(), key);
            }
            return key;
        } catch (java.io.IOException e) {
            log.warn("approval request {}: cannot file it in Jira: {}", request.id(), e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void poll() {
        Approvals current = approvals;
        if (current == null) {
            return;
        }
        for (Map.Entry<String, String> entry : Map.copyOf(issues).entrySet()) {
            String id = entry.getKey();
            var request = current.find(id);
            if (request.isEmpty() || request.get().outcome().isDone()) {
                issues.remove(id);
                continue;
            }
            try {
                HttpResponse<String> response = http.send(call("/rest/api/2/issue/" + entry.getValue()
                        + "?fields=status&expand=changelog").GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 != 2) {
                    continue;
                }
                JsonNode issue = JSON.readTree(response.body());
                String status = issue.path("fields").path("status").path("name").asText();
                boolean approve = status.equalsIgnoreCase(jira.approvedStatus());
                if (!approve && !status.equalsIgnoreCase(jira.rejectedStatus())) {
                    continue;
                }
                String account = mover(issue, status);
                SlackConfig.SlackUser who = account == null ? null : jira.users().get(account);
                if (who == null) {
                    log.warn("approval request {}: Jira issue {} moved to {} by {}, who is not a known approver", id,
                            entry.getValue(), status, account);
                    issues.remove(id);
                    continue;
                }
                Identity approver = new Identity(who.subject(), who.name(), "", Set.copyOf(who.groups()), Identity.Kind.HUMAN,
                        "jira", Map.of());
                try {
                    if (approve) {
                        current.approve(id, approver);
                    } else {
                        current.reject(id, approver, "rejected in Jira (" + entry.getValue() + ")");
                    }
                    log.info("approval request {} {} in Jira ({}) by {}", id, approve ? "approved" : "rejected",
                            entry.getValue(), who.subject());
                } catch (Approvals.RefusedDecision refused) {
                    log.warn("approval request {}: the Jira transition by {} does not count: {}", id, who.subject(),
                            refused.getMessage());
                }
                issues.remove(id);
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("approval request {}: cannot read Jira issue {}: {}", id, entry.getValue(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The account that last moved the issue to {@code status}, from its changelog. */
    private static String mover(JsonNode issue, String status) {
        String found = null;
        for (JsonNode history : issue.path("changelog").path("histories")) {
            for (JsonNode item : history.path("items")) {
                if ("status".equals(item.path("field").asText()) && status.equalsIgnoreCase(item.path("toString").asText())) {
                    JsonNode author = history.path("author");
                    found = author.hasNonNull("accountId") ? author.get("accountId").asText() : author.path("name").asText(null);
                }
            }
        }
        return found;
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
