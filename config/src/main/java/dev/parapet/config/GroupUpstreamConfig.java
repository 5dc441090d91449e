package dev.parapet.config;

/**
 * Upstream settings for the members of one group: other service credentials ({@code user} and
 * {@code password}) and/or a role the session switches to right after login ({@code role}). An
 * entry with neither keeps the target's own account: useful ahead of broader entries, since the
 * first entry whose group the caller is in applies.
 */
public record GroupUpstreamConfig(String group, String user, Secret password, String role) {
}
