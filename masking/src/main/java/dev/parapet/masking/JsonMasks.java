package dev.parapet.masking;

import dev.parapet.masking.MaskStrategy.Fixed;
import dev.parapet.masking.MaskStrategy.KeyedHash;
import java.util.ArrayList;
import java.util.List;

/**
 * Masking inside a JSON document without touching its structure: keys, brackets, booleans and
 * nulls stay as they are, and every replacement is written as a properly escaped JSON string, so
 * the result is still a valid document of the same shape.
 */
final class JsonMasks {

    private JsonMasks() {}

    /**
     * The column holds {@code dataClass} as JSON: every string value (not the keys) is masked as
     * text, every number becomes 0 ({@link KeyedHash}: a pseudonymous number, {@link Fixed}: the
     * fixed text as a string). A cell that is not valid JSON becomes NULL.
     */
    static MaskedCell maskLeaves(byte[] b, int from, int to, DataClass dataClass, MaskStrategy strategy) {
        ByteSink out = new ByteSink(to - from + 16);
        int[] copied = {from};
        boolean valid = JsonText.walk(b, from, to, new JsonText.Leaves() {
            @Override
            public void string(int start, int end, boolean key) {
                if (key) {
                    return;
                }
                out.append(b, copied[0], start);
                JsonText.appendEscaped(out, TextMasks.mask(JsonText.decode(b, start, end), dataClass, strategy));
                copied[0] = end;
            }

            @Override
            public void number(int start, int end) {
                out.append(b, copied[0], start);
                String number = new String(b, start, end - start, java.nio.charset.StandardCharsets.US_ASCII);
                switch (strategy) {
                    case KeyedHash k -> out.append(Long.toString(
                            Pseudonyms.stream(k.key(), number, dataClass).nextLong() % 1_000_000_000L));
                    case Fixed f -> {
                        out.append((byte) '"');
                        JsonText.appendEscaped(out, f.value());
                        out.append((byte) '"');
                    }
                    default -> out.append("0");
                }
                copied[0] = end;
            }
        });
        if (!valid) {
            return MaskedCell.NULL;
        }
        out.append(b, copied[0], to);
        return new MaskedCell.Replaced(out.toArray());
    }

    /** Where a finding can be replaced in a document, and whether that place is inside a string. */
    record Span(int start, int end, boolean inString, DataClass dataClass) {}

    /**
     * The findings moved to places where a replacement keeps the document valid: inside a string,
     * a finding is clipped to the string and widened to whole escape sequences; outside strings
     * (a card number written as a JSON number) it is widened to the whole number, which is then
     * replaced by a string. Returns null if the cell is not valid JSON.
     */
    static List<Span> placements(byte[] b, int from, int to, List<Finding> findings) {
        List<int[]> leaves = new ArrayList<>();
        boolean valid = JsonText.walk(b, from, to, new JsonText.Leaves() {
            @Override
            public void string(int start, int end, boolean key) {
                leaves.add(new int[] {start, end, 1});
            }

            @Override
            public void number(int start, int end) {
                leaves.add(new int[] {start, end, 0});
            }
        });
        if (!valid) {
            return null;
        }
        List<Span> spans = new ArrayList<>(findings.size());
        int leaf = 0;
        int lastEnd = from;
        for (Finding f : findings) {
            while (leaf < leaves.size() && leaves.get(leaf)[1] < f.start()) {
                leaf++;
            }
            if (leaf == leaves.size()) {
                break;
            }
            int[] l = leaves.get(leaf);
            if (f.start() < l[0] && !(l[2] == 1 && f.start() == l[0] - 1)) {
                continue; // in the structure between leaves: nothing a detector should find there
            }
            int start;
            int end;
            if (l[2] == 1) {
                start = JsonText.escapeStartAround(b, l[0], Math.max(f.start(), l[0]));
                end = JsonText.escapeEndAround(b, l[0], Math.min(f.end(), l[1]));
            } else {
                start = l[0];
                end = l[1];
            }
            if (start < lastEnd || end <= start) {
                continue;
            }
            spans.add(new Span(start, end, l[2] == 1, f.dataClass()));
            lastEnd = end;
        }
        return spans;
    }
}
