package dev.parapet.masking;

import dev.parapet.masking.MaskAction.JsonFields;
import dev.parapet.masking.MaskAction.ScanContent;
import dev.parapet.masking.MaskAction.WholeValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The one call the protocol layers make per cell: given a cell's text-format bytes, its column's
 * declared type and the action planned for the column, it says whether to forward the bytes as
 * they are, send a replacement, or send NULL.
 *
 * <p>A masked value is always valid for the declared type: a {@code varchar(n)} mask is cut to
 * {@code n} characters, a {@code char(n)} one padded to {@code n}; a masked date, timestamp or
 * time is a real one (1900-01-01 00:00:00, or a pseudonymous one for a keyed hash); integers and
 * numerics become 0, their last four digits, or a pseudonymous number within the type's width;
 * UUIDs become the nil UUID or a pseudonymous version-8 UUID; {@code inet} becomes 0.0.0.0, the
 * address's network, or a pseudonymous private address; {@code bytea} becomes empty or a hex
 * digest; JSON keeps its structure and only its string and number values are masked. Booleans and
 * {@link ColumnType.Family#OTHER} types have no masked form valid on both protocols and become
 * NULL, as does a {@link MaskStrategy.Fixed} value that does not parse as the column's type.
 * {@link MaskStrategy.Nullify} in a column known to be NOT NULL redacts instead.
 *
 * <p>Content scanning ({@link ScanContent}) looks into text, char, JSON and other (array, xml,
 * ...) columns only; in a JSON column replacements are escaped and placed so that the document
 * stays valid. When a finding's class is to be nullified, the whole cell becomes NULL.
 *
 * <p>Key-aware JSON masking ({@link JsonFields}) reads a document made from whole rows: members
 * whose key {@link ColumnClassifier} classifies are masked whole, other strings are scanned, and
 * keys and shape are kept (see {@link JsonFieldMasks}); a member to nullify becomes a JSON null;
 * a cell that is not JSON is redacted whole ({@code ****}, or NULL where the type has no such form).
 *
 * <p>The caller never passes SQL NULL cells (there is nothing to mask). Thread-safe.
 */
public final class CellMasker {

    private final ContentScanner scanner;
    private final JsonFieldMasks jsonFields;

    public CellMasker() {
        this(new ContentScanner());
    }

    public CellMasker(ContentScanner scanner) {
        this.scanner = scanner;
        this.jsonFields = new JsonFieldMasks(new ColumnClassifier(), scanner);
    }

    public MaskedCell mask(byte[] utf8, ColumnType type, MaskAction action) {
        return mask(utf8, 0, utf8.length, type, action);
    }

    /**
     * Masks the cell {@code utf8[offset, offset + length)}. {@link MaskedCell#UNCHANGED} means
     * forward those bytes untouched; a {@link MaskedCell.Replaced} array belongs to the caller.
     */
    public MaskedCell mask(byte[] utf8, int offset, int length, ColumnType type, MaskAction action) {
        return switch (action) {
            case WholeValue whole -> TypedMasks.mask(utf8, offset, length, type, whole.dataClass(), whole.strategy());
            case ScanContent scan -> scan(utf8, offset, length, type, scan.strategies());
            case JsonFields fields -> jsonFields.mask(utf8, offset, length, type, fields.strategies(), fields.table());
        };
    }

    private MaskedCell scan(byte[] b, int off, int len, ColumnType type, Map<DataClass, MaskStrategy> strategies) {
        if (!type.isTextual() || strategies.isEmpty()) {
            return MaskedCell.UNCHANGED;
        }
        Findings found = scanner.find(b, off, off + len, strategies.keySet());
        if (found == null) {
            return MaskedCell.UNCHANGED;
        }
        List<Finding> findings = found.resolved();
        boolean notNull = type.nullability() == ColumnType.Nullability.NOT_NULL;
        for (Finding f : findings) {
            if (strategies.get(f.dataClass()) instanceof MaskStrategy.Nullify && !notNull) {
                return MaskedCell.NULL;
            }
        }
        if (type.family() == ColumnType.Family.JSON) {
            List<JsonMasks.Span> spans = JsonMasks.placements(b, off, off + len, findings);
            if (spans != null) {
                return spans.isEmpty() ? MaskedCell.UNCHANGED : replaceInJson(b, off, len, spans, strategies);
            }
            // Not valid JSON after all (the server would not send that): mask it as plain text.
        }
        ByteSink out = new ByteSink(len + 16);
        int pos = off;
        for (Finding f : findings) {
            out.append(b, pos, f.start());
            out.append(maskFragment(b, f.start(), f.end(), f.dataClass(), strategies));
            pos = f.end();
        }
        out.append(b, pos, off + len);
        byte[] masked = out.toArray();
        if (type.lengthLimit() > 0) {
            String text = new String(masked, StandardCharsets.UTF_8);
            String fitted = TypedMasks.fit(type.family() == ColumnType.Family.CHAR ? text.stripTrailing() : text, type);
            if (!fitted.equals(text)) {
                masked = fitted.getBytes(StandardCharsets.UTF_8);
            }
        }
        return new MaskedCell.Replaced(masked);
    }

    private static MaskedCell replaceInJson(
            byte[] b, int off, int len, List<JsonMasks.Span> spans, Map<DataClass, MaskStrategy> strategies) {
        ByteSink out = new ByteSink(len + 16);
        int pos = off;
        for (JsonMasks.Span s : spans) {
            out.append(b, pos, s.start());
            String fragment = s.inString()
                    ? JsonText.decode(b, s.start(), s.end())
                    : new String(b, s.start(), s.end() - s.start(), StandardCharsets.US_ASCII);
            if (!s.inString()) {
                out.append((byte) '"');
            }
            JsonText.appendEscaped(out, maskText(fragment, s.dataClass(), strategies));
            if (!s.inString()) {
                out.append((byte) '"');
            }
            pos = s.end();
        }
        out.append(b, pos, off + len);
        return new MaskedCell.Replaced(out.toArray());
    }

    private static String maskFragment(
            byte[] b, int start, int end, DataClass dataClass, Map<DataClass, MaskStrategy> strategies) {
        return maskText(new String(b, start, end - start, StandardCharsets.UTF_8), dataClass, strategies);
    }

    private static String maskText(String fragment, DataClass dataClass, Map<DataClass, MaskStrategy> strategies) {
        MaskStrategy strategy = strategies.get(dataClass);
        if (strategy instanceof MaskStrategy.Nullify) {
            strategy = new MaskStrategy.Redact(); // a NOT NULL column: see scan()
        }
        return TextMasks.mask(fragment, dataClass, strategy);
    }
}
