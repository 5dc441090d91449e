package dev.parapet.masking;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the detectors report during one scan, before overlaps are settled. Detectors may report
 * overlapping spans (a card number inside a phone-shaped run, an API key inside a high-entropy
 * run); {@link #resolved()} keeps one finding per place, the more specific class winning.
 */
final class Findings {

    private int[] starts = new int[4];
    private int[] ends = new int[4];
    private DataClass[] classes = new DataClass[4];
    private int size;

    /** Scratch counts for the entropy detector, so it allocates once per scan, not once per run. */
    final int[] counts = new int[128];

    void add(int start, int end, DataClass dataClass) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            ends = Arrays.copyOf(ends, size * 2);
            classes = Arrays.copyOf(classes, size * 2);
        }
        starts[size] = start;
        ends[size] = end;
        classes[size] = dataClass;
        size++;
    }

    /** Whether an earlier finding already spans all of {@code [start, end)}. */
    boolean covers(int start, int end) {
        for (int i = 0; i < size; i++) {
            if (starts[i] <= start && ends[i] >= end) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Findings sorted by position, none overlapping another. */
    List<Finding> resolved() {
        List<Finding> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(new Finding(starts[i], ends[i], classes[i]));
        }
        all.sort((a, b) -> a.start() != b.start()
                ? Integer.compare(a.start(), b.start())
                : Integer.compare(b.end(), a.end()));
        List<Finding> kept = new ArrayList<>(all.size());
        for (Finding f : all) {
            if (kept.isEmpty()) {
                kept.add(f);
                continue;
            }
            Finding last = kept.get(kept.size() - 1);
            if (f.start() >= last.end()) {
                kept.add(f);
            } else if (f.dataClass() == last.dataClass()) {
                kept.set(kept.size() - 1, new Finding(last.start(), Math.max(last.end(), f.end()), last.dataClass()));
            } else if (rank(f.dataClass()) > rank(last.dataClass())) {
                kept.set(kept.size() - 1, f);
            }
        }
        return List.copyOf(kept);
    }

    /**
     * Which class wins where two overlap: the one whose detector checks more (a checksum, a fixed
     * shape) over the looser one. A phone matcher accepts many digit strings; a Luhn-valid card
     * number or a mod-97-valid IBAN is rarely anything else.
     */
    private static int rank(DataClass c) {
        return switch (c) {
            case SECRET -> 7;
            case CARD_NUMBER -> 6;
            case IBAN -> 5;
            case NATIONAL_ID -> 4;
            case EMAIL -> 3;
            case IP_ADDRESS -> 2;
            case PHONE -> 1;
            default -> 0;
        };
    }
}
