package dev.parapet.core;

import dev.parapet.masking.CellMasker;
import dev.parapet.masking.ColumnClassifier;
import dev.parapet.masking.ColumnType;
import dev.parapet.masking.DataClass;
import dev.parapet.masking.MaskAction;
import dev.parapet.masking.MaskStrategy;
import dev.parapet.masking.MaskingKey;
import dev.parapet.policy.MaskingDirective;
import dev.parapet.policy.StatementAnalysis;
import dev.parapet.policy.StatementInfo;
import dev.parapet.policy.TableName;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a mask rule's directive into what to do with each column of a result. A column's class
 * comes from the rule's own column list first, then (unless the rule turns detection off) from
 * its name and type; a column with a class is masked whole with that class's strategy. Other text
 * columns are scanned for sensitive values inside them. A computed column (no origin) of a
 * statement that uses a sensitive column, or a whole row of a table, is masked whole as well:
 * without knowing what it was computed from, the gateway treats it as derived from the most
 * sensitive thing the statement read. Thread-safe.
 */
public final class MaskPlanner {

    private final CellMasker masker = new CellMasker();
    private final ColumnClassifier classifier = new ColumnClassifier();
    private final MaskingKey key;

    public MaskPlanner(MaskingKey key) {
        this.key = key;
    }

    /** With a key made up for this process: keyed hashes stay comparable until the gateway restarts. */
    public static MaskPlanner withEphemeralKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return new MaskPlanner(MaskingKey.of(bytes));
    }

    public CellMasker masker() {
        return masker;
    }

    /** What masking needs to know about a statement, worked out once when it is decided. */
    public record StatementMasking(MaskingDirective directive, Map<DataClass, MaskStrategy> strategies,
            Optional<DataClass> derivedFrom) {
    }

    /** Prepares masking for a statement the directive applies to. */
    public StatementMasking forStatement(MaskingDirective directive, StatementAnalysis analysis) {
        Map<DataClass, MaskStrategy> strategies = new EnumMap<>(DataClass.class);
        for (DataClass c : DataClass.values()) {
            strategies.put(c, c.defaultStrategy());
        }
        directive.strategies().forEach((name, strategy) -> strategies.put(dataClass(name), strategy(strategy)));
        return new StatementMasking(directive, strategies, mostSensitiveRead(directive, analysis));
    }

    /**
     * Why a statement would let data that is masked for this identity out in clear, if it would:
     * a write (a table, a file) or a copy, a cursor or a prepared statement whose rows the gateway
     * could not trace to their columns later, fed by sensitive columns, whole rows or every column
     * of a table. Empty when the statement is an ordinary read, whose results get masked.
     */
    public Optional<String> sideDoor(StatementMasking masking, StatementAnalysis analysis) {
        if (!(analysis instanceof StatementAnalysis.Analyzed analyzed)) {
            return Optional.empty();
        }
        boolean readsSensitive = masking.derivedFrom().isPresent();
        boolean readsEverything = analyzed.executedStatements().stream()
                .anyMatch(st -> st.columns().values().stream().anyMatch(cols -> cols.contains("*")));
        if (!readsSensitive && !readsEverything) {
            return Optional.empty();
        }
        for (StatementInfo statement : analyzed.executedStatements()) {
            String what = switch (statement.kind()) {
                case COPY -> "COPY would carry the rows out unmasked";
                case CURSOR -> statement.inner().isEmpty() ? null : "a cursor's rows are fetched where their origin is lost";
                case PREPARE -> "a prepared statement's rows are executed where their origin is lost";
                case CREATE, INSERT, UPDATE, MERGE -> statement.tablesWritten().isEmpty() ? null
                        : "the statement writes what it reads into " + statement.tablesWritten().iterator().next();
                default -> !statement.tablesWritten().isEmpty() || !statement.serverAccess().isEmpty()
                        ? "the statement writes what it reads" : null;
            };
            if (what != null && (readsSensitive || statement.kind() == dev.parapet.policy.StatementKind.COPY
                    || !statement.tablesWritten().isEmpty())) {
                return Optional.of(what);
            }
        }
        return Optional.empty();
    }

    /** The plan for one result of a statement. */
    public MaskPlan plan(StatementMasking masking, List<ResultColumn> columns) {
        List<MaskAction> actions = new ArrayList<>(columns.size());
        List<ColumnType> types = new ArrayList<>(columns.size());
        List<String> reasons = new ArrayList<>();
        for (ResultColumn column : columns) {
            types.add(column.type());
            MaskAction action = null;
            if (column.traced()) {
                Optional<String> configured = configured(masking.directive(), column);
                Optional<DataClass> cls = configured.filter(MaskingDirective.CLASSES::contains).map(MaskPlanner::dataClass);
                if (cls.isEmpty() && configured.isEmpty() && masking.directive().detect()) {
                    cls = classifier.classify(column.schema(), column.table(), column.column(), column.type());
                }
                if (cls.isPresent()) {
                    action = new MaskAction.WholeValue(cls.get(), masking.strategies().get(cls.get()));
                    reasons.add(column.table() + "." + column.column() + ": " + words(cls.get()));
                } else if (!"none".equals(configured.orElse("")) && (masking.directive().detect() || configured.isPresent())
                        && column.type().isTextual()) {
                    action = new MaskAction.ScanContent(masking.strategies());
                }
            } else if (masking.derivedFrom().isPresent()) {
                DataClass cls = masking.derivedFrom().get();
                action = new MaskAction.WholeValue(cls, masking.strategies().get(cls));
                reasons.add(column.label() + ": computed from " + words(cls) + " data");
            } else if (column.type().isTextual()) {
                action = new MaskAction.ScanContent(masking.strategies());
            }
            actions.add(action);
        }
        return new MaskPlan(actions, types, reasons);
    }

    private static Optional<String> configured(MaskingDirective directive, ResultColumn column) {
        String table = column.table().toLowerCase(Locale.ROOT);
        String name = column.column().toLowerCase(Locale.ROOT);
        String schema = column.schema() == null ? "" : column.schema().toLowerCase(Locale.ROOT);
        String exact = directive.columns().get(schema + "." + table + "." + name);
        return Optional.ofNullable(exact != null ? exact : directive.columns().get(table + "." + name));
    }

    /**
     * The most sensitive class among the columns the statement uses (by the rule's list and by
     * name), or SECRET when it uses a whole row or every column of a table; empty when it uses
     * nothing sensitive.
     */
    private Optional<DataClass> mostSensitiveRead(MaskingDirective directive, StatementAnalysis analysis) {
        if (!(analysis instanceof StatementAnalysis.Analyzed analyzed)) {
            return Optional.of(DataClass.SECRET);
        }
        DataClass found = null;
        for (StatementInfo statement : analyzed.executedStatements()) {
            for (var used : statement.columns().entrySet()) {
                TableName table = used.getKey();
                for (String name : used.getValue()) {
                    if (name.equals(StatementInfo.WHOLE_ROW)) {
                        return Optional.of(DataClass.SECRET);
                    }
                    if (name.equals("*")) {
                        continue; // a star expands into columns with an exact origin
                    }
                    String key = table.name().toLowerCase(Locale.ROOT) + "." + name.toLowerCase(Locale.ROOT);
                    String configured = directive.columns().get(key);
                    if (configured == null && table.qualified()) {
                        configured = directive.columns().get(table.schema().toLowerCase(Locale.ROOT) + "." + key);
                    }
                    Optional<DataClass> cls = configured != null
                            ? Optional.ofNullable(MaskingDirective.CLASSES.contains(configured) ? dataClass(configured) : null)
                            : directive.detect()
                                    ? classifier.classify(table.schema(), table.name(), name, ColumnType.text())
                                    : Optional.empty();
                    if (cls.isPresent()) {
                        found = strictest(found, cls.get());
                    }
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /** One class, or SECRET (redacted) when a value may mix several. */
    private static DataClass strictest(DataClass a, DataClass b) {
        if (a == null) {
            return b;
        }
        return a == b ? a : DataClass.SECRET;
    }

    static DataClass dataClass(String name) {
        return DataClass.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    MaskStrategy strategy(String words) {
        if (words.startsWith("fixed:")) {
            return new MaskStrategy.Fixed(words.substring("fixed:".length()));
        }
        return switch (words) {
            case "redact" -> new MaskStrategy.Redact();
            case "partial" -> new MaskStrategy.Partial();
            case "nullify" -> new MaskStrategy.Nullify();
            case "keyed-hash" -> new MaskStrategy.KeyedHash(key);
            default -> throw new IllegalArgumentException("unknown strategy " + words);
        };
    }

    private static String words(DataClass cls) {
        return cls.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
