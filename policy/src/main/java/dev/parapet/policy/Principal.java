package dev.parapet.policy;

import java.util.Set;

/**
 * Who a statement runs for, as policy sees it: the identity's subject, its groups and whether it
 * is a person or a workload. The proxy builds it from its identity; this module knows no more.
 */
public record Principal(String subject, Set<String> groups, Kind kind) {

    public Principal {
        groups = Set.copyOf(groups);
    }

    /** A person, or a workload acting for itself. */
    public enum Kind { HUMAN, SERVICE }
}
