package dev.parapet.core;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is behind a session, as established by an {@link IdentityResolver}. Everything the gateway
 * decides about a session (which target, which rules, what is masked, what is audited) starts
 * from this value; the startup packet's user name is never trusted on its own.
 */
public record Identity(
        String subject, String name, String email, Set<String> groups, Kind kind, String issuer,
        Map<String, Object> claims) {

    public Identity {
        groups = Set.copyOf(groups);
        claims = Map.copyOf(claims);
    }

    /** A person, or a workload acting for itself (a pipeline, an AI agent). */
    public enum Kind { HUMAN, SERVICE }

    public boolean inGroup(String group) {
        return groups.contains(group);
    }

    /** A short label for logs and upstream session tags: the name, else the subject. */
    public String label() {
        return name == null || name.isBlank() ? subject : name;
    }

    /** When the credential behind this identity stops being valid (a token's exp), if it does. */
    public java.util.Optional<java.time.Instant> expiresAt() {
        return switch (claims.get("exp")) {
            case java.util.Date date -> java.util.Optional.of(date.toInstant());
            case Number seconds -> java.util.Optional.of(java.time.Instant.ofEpochSecond(seconds.longValue()));
            case null, default -> java.util.Optional.empty();
        };
    }

    /**
     * A stable, readable handle for the database's own records (the upstream application_name):
     * the email where there is one, else the subject. Display names are neither unique nor stable.
     */
    public String handle() {
        return email == null || email.isBlank() ? subject : email;
    }

    public List<String> sortedGroups() {
        return groups.stream().sorted().toList();
    }
}
