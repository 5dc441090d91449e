package dev.parapet.config;

import java.util.List;

/**
 * How approvers hear of approval requests: {@code webhooks} (the {@code notify:} list) say where each new request is sent
 * (webhooks for now). {@code publicUrl} is the gateway's admin address as approvers reach it, put
 * in notifications as the place to approve; none: the admin listener's own address.
 */
public record ApprovalsConfig(@com.fasterxml.jackson.annotation.JsonProperty("notify") List<ApprovalNotifyConfig> webhooks,
        String publicUrl, SlackConfig slack, ApprovalStoreConfig store, JiraConfig jira) {

    public ApprovalsConfig {
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    }

    static ApprovalsConfig defaults() {
        return new ApprovalsConfig(null, null, null, null, null);
    }
}
