package dev.parapet.config;

/**
 * Upstream settings for the members of one group: other service credentials ({@code user} and
 * {@code password}) and/or a role the session switches to right after login ({@code role}).
 */
public record GroupUpstreamConfig(String group, String user, Secret password, String role) {
}
