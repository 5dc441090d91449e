package dev.parapet.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Approval requests in Slack: each new one is posted to {@code webhookUrl} (an incoming webhook)
 * with Approve and Reject buttons; Slack sends the button presses to the gateway's
 * {@code /api/slack/actions}, signed with the app's {@code signingSecret}. {@code users} says who
 * each Slack user is here (subject and groups), since the approver rules are about identities.
 */
public record SlackConfig(String webhookUrl, Secret signingSecret, Map<String, SlackUser> users) {

    public SlackConfig {
        Objects.requireNonNull(webhookUrl, "slack needs a 'webhook-url'");
        Objects.requireNonNull(signingSecret, "slack needs the app's 'signing-secret' to check button presses");
        users = users == null ? Map.of() : Map.copyOf(users);
    }

    /** Who a Slack user is, for the approver rules. */
    public record SlackUser(String subject, String name, List<String> groups) {
        public SlackUser {
            Objects.requireNonNull(subject, "a Slack user needs the 'subject' it is known by here");
            name = name == null ? subject : name;
            groups = groups == null ? List.of() : List.copyOf(groups);
        }
    }
}
