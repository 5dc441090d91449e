package dev.parapet.masking;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/** What to do with one column's cells: decided once per result, applied to every row. */
public sealed interface MaskAction {

    /** The column is known to hold {@code dataClass}: mask every value whole with {@code strategy}. */
    record WholeValue(DataClass dataClass, MaskStrategy strategy) implements MaskAction {
        public WholeValue {
            Objects.requireNonNull(dataClass, "dataClass");
            Objects.requireNonNull(strategy, "strategy");
        }

        /** With the class's default strategy. */
        public static WholeValue of(DataClass dataClass) {
            return new WholeValue(dataClass, dataClass.defaultStrategy());
        }
    }

    /**
     * The column may hold sensitive values inside free text or JSON: scan each cell and mask only
     * what the detectors find, each finding with the strategy of its class. Classes missing from
     * {@code strategies} are neither looked for nor masked.
     */
    record ScanContent(Map<DataClass, MaskStrategy> strategies) implements MaskAction {
        public ScanContent {
            strategies = strategies.isEmpty()
                    ? Map.of()
                    : Collections.unmodifiableMap(new EnumMap<>(strategies));
        }

        /** Every class the scanner knows, each with its default strategy. */
        public static ScanContent allWithDefaults() {
            Map<DataClass, MaskStrategy> all = new EnumMap<>(DataClass.class);
            for (DataClass c : DataClass.values()) {
                all.put(c, c.defaultStrategy());
            }
            return new ScanContent(all);
        }
    }

    /**
     * The column holds JSON documents built from whole rows ({@code row_to_json(c)},
     * {@code json_agg(c)}, {@code to_jsonb(c.*)}), where the content detectors alone cannot see
     * names or birth dates: every member whose key {@link ColumnClassifier} classifies (the key
     * read as a text column's name) is masked whole with its class's strategy, every other string
     * is content-scanned, and keys, numbers, booleans, nulls and the document's shape are kept
     * ({@link MaskStrategy.Nullify} gives a JSON null member, not a NULL cell). A cell that is not
     * JSON (a record literal such as {@code (1,"Ann Lee",ann@x.com)}) is redacted whole, since
     * nothing in it can be told apart. Classes missing from {@code strategies} are neither looked
     * for nor masked. {@code table} names the table the rows come from ("" when unknown, or when
     * they come from several): some keys (a bare {@code name}) are sensitive only in some tables.
     */
    record JsonFields(Map<DataClass, MaskStrategy> strategies, String table) implements MaskAction {
        public JsonFields {
            strategies = strategies.isEmpty()
                    ? Map.of()
                    : Collections.unmodifiableMap(new EnumMap<>(strategies));
            table = table == null ? "" : table;
        }

        public JsonFields(Map<DataClass, MaskStrategy> strategies) {
            this(strategies, "");
        }

        /** Every class, each with its default strategy. */
        public static JsonFields allWithDefaults() {
            return new JsonFields(ScanContent.allWithDefaults().strategies());
        }
    }
}
