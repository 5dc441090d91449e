package dev.parapet.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The audit trail: where events go ({@code sinks}, any number at once, each written in order and
 * on its own), and how the pipeline feeding them behaves.
 *
 * @param statementText what of a statement's text an event records: {@code redacted} (the
 *     default: literals replaced by {@code ?}, since literals are where personal data sits),
 *     {@code full} (as sent, literals included) or {@code none}
 * @param queueSize events waiting for the sinks before new ones count as not recorded
 * @param batchSize the most events handed to a sink at once
 * @param flushInterval how long an event may wait for a batch to fill
 * @param retryBackoff the first wait before a failed write is tried again; it doubles up to
 *     {@code retryBackoffMax}
 * @param retryBackoffMax the longest wait between two tries
 * @param spoolDirectory where events a sink could not take wait on disk, in order, until it takes
 *     them again; none: no spool, and a sink that is down holds events in memory only
 * @param spoolMaxSize the most bytes spooled per sink; past it, events count as not recorded
 * @param sinks the sinks
 */
public record AuditConfig(
        StatementText statementText,
        Integer queueSize,
        Integer batchSize,
        Duration flushInterval,
        Duration retryBackoff,
        Duration retryBackoffMax,
        Path spoolDirectory,
        ByteSize spoolMaxSize,
        List<AuditSinkConfig> sinks) {

    public AuditConfig {
        statementText = Objects.requireNonNullElse(statementText, StatementText.REDACTED);
        queueSize = queueSize == null ? 65_536 : queueSize;
        batchSize = batchSize == null ? 512 : batchSize;
        flushInterval = Objects.requireNonNullElse(flushInterval, Duration.ofMillis(200));
        retryBackoff = Objects.requireNonNullElse(retryBackoff, Duration.ofMillis(250));
        retryBackoffMax = Objects.requireNonNullElse(retryBackoffMax, Duration.ofSeconds(30));
        spoolMaxSize = Objects.requireNonNullElse(spoolMaxSize, ByteSize.ofMebibytes(1024));
        sinks = sinks == null ? List.of() : List.copyOf(sinks);
    }

    /** Whether any sink is configured. */
    public boolean enabled() {
        return !sinks.isEmpty();
    }

    static AuditConfig defaults() {
        return new AuditConfig(null, null, null, null, null, null, null, null, null);
    }

    /** What of a statement's text goes into an event. */
    public enum StatementText {
        REDACTED, FULL, NONE;

        @com.fasterxml.jackson.annotation.JsonCreator
        static StatementText parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "redacted" -> REDACTED;
                case "full" -> FULL;
                case "none" -> NONE;
                default -> throw new IllegalArgumentException(
                        "unknown statement-text '" + text + "' (expected redacted, full or none)");
            };
        }
    }

    /**
     * What the gateway does when it cannot record an event (every way to a sink, including its
     * spool, is full or failing): {@code FAIL_CLOSED} refuses new connections and statements until
     * audit recovers; {@code BEST_EFFORT} lets them run and counts the lost events.
     */
    public enum Guarantee {
        FAIL_CLOSED, BEST_EFFORT;

        @com.fasterxml.jackson.annotation.JsonCreator
        static Guarantee parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "fail-closed" -> FAIL_CLOSED;
                case "best-effort" -> BEST_EFFORT;
                default -> throw new IllegalArgumentException(
                        "unknown audit guarantee '" + text + "' (expected fail-closed or best-effort)");
            };
        }

        public String words() {
            return this == FAIL_CLOSED ? "fail-closed" : "best-effort";
        }
    }
}
