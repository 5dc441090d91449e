package dev.parapet.masking;

import java.util.Objects;

/**
 * A sensitive value found inside a cell: bytes {@code [start, end)} of the array the scanner was
 * given (positions in the array, not relative to the cell's offset).
 */
public record Finding(int start, int end, DataClass dataClass) {
    public Finding {
        Objects.requireNonNull(dataClass, "dataClass");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("empty or negative span [" + start + ", " + end + ")");
        }
    }
}
