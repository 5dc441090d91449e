package dev.parapet.postgres.message;

/** The fast-path function call: answered with a result and a ReadyForQuery of its own. Observed, then relayed. */
public record FunctionCall() implements FrontendMessage {
    public static final FunctionCall INSTANCE = new FunctionCall();
}
