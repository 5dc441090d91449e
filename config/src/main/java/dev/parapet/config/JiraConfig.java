package dev.parapet.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Approval requests as Jira issues: each new request becomes an issue of {@code issueType} in
 * {@code project} (Jira's REST API at {@code url}, as {@code user} with {@code apiToken}); the
 * gateway then reads the issue every {@code pollInterval}, and moving it to
 * {@code approvedStatus} (or {@code rejectedStatus}) decides the request, as whoever made that
 * transition: {@code users} says who each Jira account is here.
 */
public record JiraConfig(String url, String user, Secret apiToken, String project, String issueType,
        String approvedStatus, String rejectedStatus, Duration pollInterval, Map<String, SlackConfig.SlackUser> users) {

    public JiraConfig {
        Objects.requireNonNull(url, "jira needs its 'url'");
        Objects.requireNonNull(project, "jira needs the 'project' key to file requests in");
        issueType = issueType == null ? "Task" : issueType;
        approvedStatus = approvedStatus == null ? "Approved" : approvedStatus;
        rejectedStatus = rejectedStatus == null ? "Rejected" : rejectedStatus;
        pollInterval = pollInterval == null ? Duration.ofSeconds(30) : pollInterval;
        users = users == null ? Map.of() : Map.copyOf(users);
    }
}
