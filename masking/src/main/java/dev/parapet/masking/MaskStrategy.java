package dev.parapet.masking;

import java.util.Objects;

/**
 * How a sensitive value is replaced. Whatever the strategy, the result is valid text for the
 * column's declared type (see {@link CellMasker}); a strategy that has no valid form for a type
 * yields SQL NULL instead.
 */
public sealed interface MaskStrategy {

    /** Replaces the whole value with a fixed mask ({@code ****}, a zero, 1900-01-01, ...). */
    record Redact() implements MaskStrategy {}

    /**
     * Keeps the part of the value people need to recognise it and masks the rest: the last four
     * digits of a card, phone, IBAN or id number, the domain of an e-mail address, the first
     * letter of each word of a name, the year of a birth date, the first two octets of an IPv4
     * address. Classes with no such part (secrets, addresses) are redacted.
     */
    record Partial() implements MaskStrategy {}

    /**
     * Replaces the value with a pseudonym derived by HMAC-SHA256 under {@code key}: the same value
     * always gives the same pseudonym, so masked columns can still be joined, grouped and compared
     * across queries, and nobody without the key can go back or compute the pseudonym of a guess.
     */
    record KeyedHash(MaskingKey key) implements MaskStrategy {
        public KeyedHash {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Replaces the value with SQL NULL. */
    record Nullify() implements MaskStrategy {}

    /**
     * Replaces the value with {@code value}. Where that text is not valid for the column's type
     * (a fixed {@code "n/a"} in a date column) the cell becomes NULL.
     */
    record Fixed(String value) implements MaskStrategy {
        public Fixed {
            Objects.requireNonNull(value, "value");
        }
    }
}
