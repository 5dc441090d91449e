package dev.parapet.postgres.message;

/** Extended protocol: the described statement or portal returns no rows. Observed, then relayed. */
public record NoData() implements BackendMessage {
    public static final NoData INSTANCE = new NoData();
}
