package dev.parapet.postgres.message;

/** Extended protocol: an Execute stopped at its row count; the portal has more rows. Observed, then relayed. */
public record PortalSuspended() implements BackendMessage {
    public static final PortalSuspended INSTANCE = new PortalSuspended();
}
