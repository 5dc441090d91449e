package dev.parapet.postgres.message;

/** Extended protocol: end of a batch; the server answers with ReadyForQuery. Observed, then relayed. */
public record Sync() implements FrontendMessage {
    public static final Sync INSTANCE = new Sync();
}
