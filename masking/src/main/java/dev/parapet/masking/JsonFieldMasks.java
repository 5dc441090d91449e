package dev.parapet.masking;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Key-aware masking of JSON documents made from whole rows ({@link MaskAction.JsonFields}): the
 * member names are the row's column names, so {@link ColumnClassifier} can tell which values are
 * names, birth dates or phone numbers where the content detectors cannot. Owns the Jackson
 * factory the documents are read and rewritten with and a bounded cache of key classifications.
 *
 * <p>A cell is read twice at most: a first pass with the streaming parser alone stops at the
 * first value to mask and answers {@link MaskedCell#UNCHANGED} when there is none, so a harmless
 * document costs no generator and no replacement; only then does a second pass copy the document
 * token by token through a generator, masking as it goes. What is not JSON is redacted whole.
 *
 * <p>Thread-safe.
 */
final class JsonFieldMasks {

    /** Distinct keys remembered; documents with more (keys that are data, not column names) classify the rest each time. */
    private static final int KEY_CACHE_SIZE = 4096;
    /** Longer keys are classified but not remembered, so the cache's memory stays small. */
    private static final int KEY_CACHE_MAX_LENGTH = 64;
    /** Masked numbers stay below a billion, like every other masked JSON number (see {@link JsonMasks}). */
    private static final long NUMBER_MAX = 999_999_999L;
    private static final MaskStrategy REDACT = new MaskStrategy.Redact();

    private final JsonFactory factory = JsonFactory.builder()
            // Keys are data here: canonicalised for cheap lookups, but never String.intern()ed.
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            // Characters outside the BMP as UTF-8, like the server writes them, not as escaped surrogate pairs.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();
    private final ColumnClassifier classifier;
    private final ContentScanner scanner;
    private final Map<String, Optional<DataClass>> keyClasses = new ConcurrentHashMap<>();

    JsonFieldMasks(ColumnClassifier classifier, ContentScanner scanner) {
        this.classifier = classifier;
        this.scanner = scanner;
    }

    MaskedCell mask(byte[] b, int off, int len, ColumnType type, Map<DataClass, MaskStrategy> strategies, String table) {
        if (strategies.isEmpty()) {
            return MaskedCell.UNCHANGED;
        }
        if (!mayBeJson(b, off, off + len)) {
            return redactWhole(b, off, len, type);
        }
        try {
            try (JsonParser probe = factory.createParser(b, off, len)) {
                if (!walk(probe, null, strategies, table)) {
                    return MaskedCell.UNCHANGED;
                }
            }
            ByteArrayBuilder out = new ByteArrayBuilder(len + 32);
            try (JsonParser p = factory.createParser(b, off, len); JsonGenerator g = factory.createGenerator(out)) {
                walk(p, g, strategies, table);
            }
            return fitted(out.toByteArray(), b, off, len, type);
        } catch (IOException e) {
            // Not JSON after all, or nested deeper or longer than Jackson's read limits: what
            // cannot be read cannot be masked, so it is not sent.
            return redactWhole(b, off, len, type);
        }
    }

    /**
     * Reads one document from {@code p}, writing it masked to {@code g}, and answers whether
     * anything was masked. Without a generator it only looks, and stops at the first value to
     * mask. Throws if the input is not exactly one JSON document.
     */
    private boolean walk(JsonParser p, JsonGenerator g, Map<DataClass, MaskStrategy> strategies, String table)
            throws IOException {
        Set<DataClass> wanted = strategies.keySet();
        byte[] scratch = null;
        boolean masked = false;
        int depth = 0;
        do {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new JsonParseException(p, "empty document");
            }
            switch (t) {
                case FIELD_NAME -> {
                    if (g != null) {
                        g.writeFieldName(p.currentName());
                    }
                }
                case START_OBJECT, START_ARRAY -> {
                    DataClass c = keyClass(p.currentName(), strategies, table);
                    if (c != null) {
                        if (g == null) {
                            return true;
                        }
                        p.skipChildren();
                        writeContainerMask(g, strategies.get(c));
                        masked = true;
                    } else {
                        depth++;
                        if (g != null) {
                            if (t == JsonToken.START_OBJECT) {
                                g.writeStartObject();
                            } else {
                                g.writeStartArray();
                            }
                        }
                    }
                }
                case END_OBJECT, END_ARRAY -> {
                    depth--;
                    if (g != null) {
                        if (t == JsonToken.END_OBJECT) {
                            g.writeEndObject();
                        } else {
                            g.writeEndArray();
                        }
                    }
                }
                case VALUE_STRING -> {
                    DataClass c = keyClass(p.currentName(), strategies, table);
                    Findings found = null;
                    int bytes = 0;
                    if (c == null && !isDateOrTime(p.getTextCharacters(), p.getTextOffset(), p.getTextLength())) {
                        int n = p.getTextLength();
                        if (scratch == null || scratch.length < n * 3) {
                            scratch = new byte[Math.max(n * 3, 256)];
                        }
                        bytes = utf8(p.getTextCharacters(), p.getTextOffset(), n, scratch);
                        found = scanner.find(scratch, 0, bytes, wanted);
                    }
                    if (c == null && found == null) {
                        if (g != null) {
                            g.writeString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                        }
                    } else if (g == null) {
                        return true;
                    } else {
                        if (c != null) {
                            writeStringMask(g, p.getText(), c, strategies.get(c));
                        } else {
                            writeScanned(g, scratch, bytes, found.resolved(), strategies);
                        }
                        masked = true;
                    }
                }
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    DataClass c = keyClass(p.currentName(), strategies, table);
                    if (c != null) {
                        if (g == null) {
                            return true;
                        }
                        writeNumberMask(g, p.getText(), c, strategies.get(c));
                        masked = true;
                    } else if (g != null) {
                        // The number's own text: no round trip through double or BigDecimal.
                        g.writeNumber(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                    }
                }
                case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> {
                    // A boolean has no masked form and says little; a null has nothing to hide.
                    if (g != null) {
                        g.copyCurrentEvent(p);
                    }
                }
                default -> throw new JsonParseException(p, "unexpected token " + t);
            }
        } while (depth > 0);
        if (p.nextToken() != null) {
            throw new JsonParseException(p, "more than one document");
        }
        return masked;
    }

    /**
     * The class of the member named {@code key} when it is one to mask; null otherwise (and for
     * array elements). {@code table} is the table the rows come from, when known ("" otherwise):
     * some names (a bare {@code name}) are sensitive only in some tables.
     */
    private DataClass keyClass(String key, Map<DataClass, MaskStrategy> strategies, String table) {
        if (key == null) {
            return null;
        }
        String cacheKey = table.isEmpty() ? key : table + '\u0000' + key;
        Optional<DataClass> c = keyClasses.get(cacheKey);
        if (c == null) {
            c = classifier.classify(null, table.isEmpty() ? null : table, key, ColumnType.text());
            if (key.length() <= KEY_CACHE_MAX_LENGTH && keyClasses.size() < KEY_CACHE_SIZE) {
                keyClasses.putIfAbsent(cacheKey, c);
            }
        }
        return c.isPresent() && strategies.containsKey(c.get()) ? c.get() : null;
    }

    /** A string under a sensitive key, masked whole as a text column's value would be. */
    private static void writeStringMask(JsonGenerator g, String value, DataClass c, MaskStrategy s) throws IOException {
        if (s instanceof MaskStrategy.Nullify) {
            g.writeNull();
        } else {
            g.writeString(TextMasks.mask(value, c, s));
        }
    }

    /** An object or array under a sensitive key has no partial form: it becomes one masked value. */
    private static void writeContainerMask(JsonGenerator g, MaskStrategy s) throws IOException {
        switch (s) {
            case MaskStrategy.Nullify n -> g.writeNull();
            case MaskStrategy.Fixed f -> g.writeString(f.value());
            default -> g.writeString(TextMasks.REDACTED);
        }
    }

    /** A number stays a number (0, its last four digits, a pseudonym), as in a numeric column. */
    private static void writeNumberMask(JsonGenerator g, String number, DataClass c, MaskStrategy s) throws IOException {
        switch (s) {
            case MaskStrategy.Nullify n -> g.writeNull();
            case MaskStrategy.Fixed f -> g.writeString(f.value());
            default -> g.writeNumber(TypedMasks.integer(number, c, s, NUMBER_MAX));
        }
    }

    /**
     * A string with findings in it, given as UTF-8: each finding masked with its class's strategy.
     * A finding whose class is to be nullified turns the whole string into a JSON null, the
     * smallest value that contains it.
     */
    private static void writeScanned(
            JsonGenerator g, byte[] utf8, int length, List<Finding> findings, Map<DataClass, MaskStrategy> strategies)
            throws IOException {
        for (Finding f : findings) {
            if (strategies.get(f.dataClass()) instanceof MaskStrategy.Nullify) {
                g.writeNull();
                return;
            }
        }
        StringBuilder out = new StringBuilder(length + 16);
        int pos = 0;
        for (Finding f : findings) {
            out.append(new String(utf8, pos, f.start() - pos, StandardCharsets.UTF_8));
            String fragment = new String(utf8, f.start(), f.end() - f.start(), StandardCharsets.UTF_8);
            out.append(TextMasks.mask(fragment, f.dataClass(), strategies.get(f.dataClass())));
            pos = f.end();
        }
        out.append(new String(utf8, pos, length - pos, StandardCharsets.UTF_8));
        g.writeString(out.toString());
    }

    /** The rewritten document, unless it no longer fits a {@code varchar(n)} or {@code char(n)} column. */
    private static MaskedCell fitted(byte[] json, byte[] b, int off, int len, ColumnType type) {
        if (type.lengthLimit() == 0) {
            return new MaskedCell.Replaced(json);
        }
        String text = new String(json, StandardCharsets.UTF_8);
        if (text.codePointCount(0, text.length()) > type.lengthLimit()) {
            return redactWhole(b, off, len, type); // cutting a document would break it
        }
        return new MaskedCell.Replaced(TypedMasks.fit(text, type).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Fail closed: {@code ****} in a text column; in a column whose type has no redacted text form
     * (a record or array type, JSON that does not parse) SQL NULL.
     */
    private static MaskedCell redactWhole(byte[] b, int off, int len, ColumnType type) {
        return TypedMasks.mask(b, off, len, type, DataClass.SECRET, REDACT);
    }

    /**
     * Whether the first non-blank byte can start a JSON document, so that record literals
     * ({@code (1,"Ann Lee",...)}) and plain text are turned away without a parser's exception.
     */
    private static boolean mayBeJson(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                continue;
            }
            return c == '{' || c == '[' || c == '"' || c == '-' || Ascii.isDigit(c) || c == 't' || c == 'f' || c == 'n';
        }
        return false;
    }

    /**
     * Whether {@code chars[from, from + n)} is exactly an ISO 8601 date, date-time or time, as the
     * server writes date and time columns into JSON ({@code 2023-05-17T09:12:44.123456+00:00}).
     * Such a value hides nothing, and its offset looks enough like a phone number's '+' to cost
     * the phone matcher microseconds: it is not scanned.
     */
    static boolean isDateOrTime(char[] c, int from, int n) {
        int end = from + n;
        int i = from;
        if (digits(c, i, 4, end) && is(c, i + 4, '-', end) && digits(c, i + 5, 2, end) && is(c, i + 7, '-', end)
                && digits(c, i + 8, 2, end)) {
            i += 10;
            if (i == end) {
                return true;
            }
            if (c[i] != 'T' && c[i] != ' ') {
                return false;
            }
            i++;
        }
        if (!(digits(c, i, 2, end) && is(c, i + 2, ':', end) && digits(c, i + 3, 2, end))) {
            return false;
        }
        i += 5;
        if (is(c, i, ':', end) && digits(c, i + 1, 2, end)) {
            i += 3;
            if (is(c, i, '.', end)) {
                int fraction = ++i;
                while (i < end && c[i] >= '0' && c[i] <= '9') {
                    i++;
                }
                if (i == fraction) {
                    return false;
                }
            }
        }
        if (i == end) {
            return true;
        }
        if (c[i] == 'Z') {
            return i + 1 == end;
        }
        if ((c[i] != '+' && c[i] != '-') || !digits(c, i + 1, 2, end)) {
            return false;
        }
        i += 3;
        for (int part = 0; part < 2 && i < end; part++) { // minutes, then seconds (old local mean time)
            if (is(c, i, ':', end) && digits(c, i + 1, 2, end)) {
                i += 3;
            } else if (part == 0 && digits(c, i, 2, end)) {
                i += 2;
            } else {
                return false;
            }
        }
        return i == end;
    }

    private static boolean digits(char[] c, int at, int count, int end) {
        if (at + count > end) {
            return false;
        }
        for (int k = at; k < at + count; k++) {
            if (c[k] < '0' || c[k] > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean is(char[] c, int at, char expected, int end) {
        return at < end && c[at] == expected;
    }

    /**
     * {@code chars[from, from + n)} as UTF-8 in {@code out} (at least {@code 3n} long), for the
     * content scanner; returns the byte count. A lone surrogate (an escape of half a pair)
     * is not valid UTF-8 and is written as '?'.
     */
    static int utf8(char[] chars, int from, int n, byte[] out) {
        int j = 0;
        int end = from + n;
        for (int i = from; i < end; i++) {
            char c = chars[i];
            if (c < 0x80) {
                out[j++] = (byte) c;
            } else if (c < 0x800) {
                out[j++] = (byte) (0xc0 | c >> 6);
                out[j++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                int cp = Character.toCodePoint(c, chars[++i]);
                out[j++] = (byte) (0xf0 | cp >> 18);
                out[j++] = (byte) (0x80 | cp >> 12 & 0x3f);
                out[j++] = (byte) (0x80 | cp >> 6 & 0x3f);
                out[j++] = (byte) (0x80 | cp & 0x3f);
            } else if (Character.isSurrogate(c)) {
                out[j++] = '?';
            } else {
                out[j++] = (byte) (0xe0 | c >> 12);
                out[j++] = (byte) (0x80 | c >> 6 & 0x3f);
                out[j++] = (byte) (0x80 | c & 0x3f);
            }
        }
        return j;
    }
}
