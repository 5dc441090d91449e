package dev.parapet.policy;

import java.util.Set;

/**
 * Who a statement runs for, as policy sees it: the identity's subject, display name, email,
 * groups, whether it is a person or a workload, and who vouched for it. The proxy builds it from
 * its identity; this module knows no more. Name, email and issuer are empty when unknown.
 */
public record Principal(String subject, String name, String email, Set<String> groups, Kind kind, String issuer) {

    public Principal {
        name = name == null ? "" : name;
        email = email == null ? "" : email;
        groups = Set.copyOf(groups);
        issuer = issuer == null ? "" : issuer;
    }

    /** Only a subject, groups and kind known (tools and tests). */
    public Principal(String subject, Set<String> groups, Kind kind) {
        this(subject, "", "", groups, kind, "");
    }

    /** A person, or a workload acting for itself. */
    public enum Kind { HUMAN, SERVICE }
}
