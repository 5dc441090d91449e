package dev.parapet.postgres.message;

/** Extended protocol: run portal {@code portal}, returning at most {@code maxRows} rows (0: all). Observed, then relayed. */
public record Execute(String portal, int maxRows) implements FrontendMessage {
}
