package dev.parapet.postgres.message;

/** The query string was empty: answered in place of a CommandComplete. Observed, then relayed. */
public record EmptyQueryResponse() implements BackendMessage {
    public static final EmptyQueryResponse INSTANCE = new EmptyQueryResponse();
}
