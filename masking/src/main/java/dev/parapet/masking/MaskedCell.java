package dev.parapet.masking;

import java.util.Objects;

/**
 * The outcome for one cell. {@link #UNCHANGED} tells the caller to forward the original bytes as
 * they are (no copy); {@link #NULL} to send SQL NULL; {@link Replaced} carries the new text.
 */
public sealed interface MaskedCell {

    MaskedCell UNCHANGED = new Unchanged();
    MaskedCell NULL = new SqlNull();

    /** Nothing to mask: forward the original bytes. */
    record Unchanged() implements MaskedCell {}

    /** Send SQL NULL instead of the value. */
    record SqlNull() implements MaskedCell {}

    /** Send {@code utf8} (text format, UTF-8) instead of the value. The array is the caller's. */
    record Replaced(byte[] utf8) implements MaskedCell {
        public Replaced {
            Objects.requireNonNull(utf8, "utf8");
        }

        /** The replacement as text, for tests and logs. */
        public String text() {
            return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
