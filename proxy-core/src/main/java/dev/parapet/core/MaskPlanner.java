package dev.parapet.core;

import dev.parapet.masking.CellMasker;
import dev.parapet.masking.ColumnClassifier;
import dev.parapet.masking.ColumnType;
import dev.parapet.masking.DataClass;
import dev.parapet.masking.MaskAction;
import dev.parapet.masking.MaskStrategy;
import dev.parapet.masking.MaskingKey;
import dev.parapet.policy.ColumnRef;
import dev.parapet.policy.MaskingDirective;
import dev.parapet.policy.OutputColumn;
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
import java.util.concurrent.ConcurrentHashMap;

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

    /**
     * What masking needs to know about a statement, worked out once per query shape and mask
     * rule: the strategies, the most sensitive class of data the statement reads (for computed
     * columns the gateway cannot trace), the statement's output columns with their lineage when
     * it is one statement whose results they describe (empty otherwise), and why the statement
     * would let masked data out in clear, if it would ({@link #sideDoor}).
     */
    public record StatementMasking(MaskingDirective directive, Map<DataClass, MaskStrategy> strategies,
            Optional<DataClass> derivedFrom, List<OutputColumn> outputs, Optional<String> sideDoor) {
    }

    /** A directive and an analysis, compared by identity: both are cached and shared already. */
    private record Shape(MaskingDirective directive, StatementAnalysis analysis) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Shape that && that.directive == directive && that.analysis == analysis;
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(directive) + System.identityHashCode(analysis);
        }
    }

    private static final int PREPARED_SHAPES = 4096;
    /** A MySQL user variable assigned inside a statement: {@code @v := expr} (the fingerprint has no literals or comments). */
    private static final java.util.regex.Pattern ASSIGNS_VARIABLE = java.util.regex.Pattern.compile("@[\\w$.`]+\\s*:=");
    private final Map<Shape, StatementMasking> prepared = new ConcurrentHashMap<>();

    /** Prepares masking for a statement the directive applies to. */
    public StatementMasking forStatement(MaskingDirective directive, StatementAnalysis analysis) {
        Shape shape = new Shape(directive, analysis);
        StatementMasking known = prepared.get(shape);
        if (known != null) {
            return known;
        }
        if (prepared.size() >= PREPARED_SHAPES) {
            prepared.clear(); // analyses and directives come and go with the caches and reloads
        }
        StatementMasking masking = prepare(directive, analysis);
        prepared.put(shape, masking);
        return masking;
    }

    private StatementMasking prepare(MaskingDirective directive, StatementAnalysis analysis) {
        Map<DataClass, MaskStrategy> strategies = new EnumMap<>(DataClass.class);
        for (DataClass c : DataClass.values()) {
            strategies.put(c, c.defaultStrategy());
        }
        directive.strategies().forEach((name, strategy) -> strategies.put(dataClass(name), strategy(strategy)));
        List<OutputColumn> outputs = analysis instanceof StatementAnalysis.Analyzed analyzed
                && analyzed.statements().size() == 1 ? analyzed.statements().get(0).outputColumns() : List.of();
        StatementMasking masking = new StatementMasking(directive, strategies, mostSensitiveRead(directive, analysis),
                outputs, Optional.empty());
        return new StatementMasking(directive, strategies, masking.derivedFrom(), outputs, sideDoor(masking, analysis));
    }

    /**
     * Why a statement would let data that is masked for this identity out in clear, if it would:
     * a write (a table, a file) or a copy, a cursor or a prepared statement whose rows the gateway
     * could not trace to their columns later, fed by sensitive columns, whole rows or every column
     * of a table. Empty when the statement is an ordinary read, whose results get masked.
     */
    private Optional<String> sideDoor(StatementMasking masking, StatementAnalysis analysis) {
        if (!(analysis instanceof StatementAnalysis.Analyzed analyzed)) {
            return Optional.empty();
        }
        if (masking.directive().denyPredicates()) {
            for (StatementInfo statement : analyzed.executedStatements()) {
                for (ColumnRef column : statement.predicateColumns()) {
                    if (!column.everyColumn() && classOf(masking.directive(), column.table(), column.column()).isPresent()) {
                        return Optional.of("its conditions use " + column + ", whose values are masked for you and could be"
                                + " worked out from what the conditions let through");
                    }
                }
            }
        }
        boolean readsSensitive = masking.derivedFrom().isPresent();
        boolean readsEverything = analyzed.executedStatements().stream()
                .anyMatch(st -> st.columns().values().stream().anyMatch(cols -> cols.contains("*")));
        if (!readsSensitive && !readsEverything) {
            return Optional.empty();
        }
        if (readsSensitive && ASSIGNS_VARIABLE.matcher(analyzed.fingerprint()).find()) {
            return Optional.of("the statement assigns what it reads to a user variable (@v := ...), which would give it back in clear");
        }
        for (StatementInfo statement : analyzed.executedStatements()) {
            if (readsSensitive && (statement.kind() == dev.parapet.policy.StatementKind.SET
                    || statement.kind() == dev.parapet.policy.StatementKind.DO) && !statement.tablesRead().isEmpty()) {
                return Optional.of("the statement stores what it reads in a variable, which would give it back in clear");
            }
            if (writesTracedValues(statement)) {
                Optional<String> laundered = launders(masking.directive(), statement);
                if (laundered.isPresent()) {
                    return laundered;
                }
                continue;
            }
            String what = switch (statement.kind()) {
                case COPY -> "COPY would carry the rows out unmasked";
                case CURSOR -> statement.inner().isEmpty() || tracedLater(masking.directive(), statement) ? null
                        : "a cursor's computed columns are fetched where their origin is lost";
                case PREPARE -> tracedLater(masking.directive(), statement) ? null
                        : "a prepared statement's computed columns are executed where their origin is lost";
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

    /**
     * Whether what {@code statement} writes is known value by value, so that only values made from
     * masked data make it a side door: DML whose lineage was worked out (a DELETE writes no values;
     * a SELECT writes only through SELECT INTO or data-modifying CTEs, and those run as statements of
     * their own in the analysis) and that touches nothing on the
     * server host. Other writers (CREATE TABLE AS, views, rules, COPY, ...) are judged by what they read.
     */
    private static boolean writesTracedValues(StatementInfo statement) {
        if (!statement.serverAccess().isEmpty()) {
            return false;
        }
        return switch (statement.kind()) {
            case DELETE -> true;
            case INSERT, UPDATE, MERGE -> !statement.writtenValues().isEmpty();
            case SELECT -> true; // writes through SELECT INTO (traced) or data-modifying CTEs (judged apart too)
            default -> false;
        };
    }

    /** Why a write of {@code statement} carries masked data into a table, if one does. */
    private Optional<String> launders(MaskingDirective directive, StatementInfo statement) {
        for (OutputColumn value : statement.writtenValues()) {
            if (value.kind() == OutputColumn.Kind.UNKNOWN || derivedClass(directive, value).isPresent()) {
                String into = statement.tablesWritten().isEmpty() ? "a table" : statement.tablesWritten().iterator().next().toString();
                String from = value.kind() == OutputColumn.Kind.UNKNOWN ? "values whose origin the gateway cannot trace"
                        : value.sources().isEmpty() ? "whole rows" : "values of " + value.sources().iterator().next();
                return Optional.of("the statement writes " + from + " into " + into);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the rows a cursor or SQL prepared statement returns later can be masked then: when
     * each of its columns is a table's column as it is (the database traces those in the later
     * FETCH or EXECUTE), a constant, or computed from nothing sensitive.
     */
    private boolean tracedLater(MaskingDirective directive, StatementInfo carrier) {
        if (carrier.outputColumns().isEmpty()) {
            return false;
        }
        for (OutputColumn output : carrier.outputColumns()) {
            switch (output.kind()) {
                case PLAIN_COLUMN, CONSTANT, STAR -> { }
                case DERIVED -> {
                    if (derivedClass(directive, output).isPresent()) {
                        return false;
                    }
                }
                case UNKNOWN -> {
                    return false;
                }
            }
        }
        return true;
    }

    /** The plan for one result of a statement. */
    public MaskPlan plan(StatementMasking masking, List<ResultColumn> columns) {
        List<MaskAction> actions = new ArrayList<>(columns.size());
        List<ColumnType> types = new ArrayList<>(columns.size());
        List<String> reasons = new ArrayList<>();
        OutputColumn[] lineage = align(masking.outputs(), columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ResultColumn column = columns.get(i);
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
            } else if (lineage != null && lineage[i].kind() == OutputColumn.Kind.DERIVED && !lineage[i].wholeRows().isEmpty()
                    && column.type().family() == ColumnType.Family.JSON && noSensitiveSource(masking.directive(), lineage[i])) {
                // JSON made of whole rows (row_to_json(c), json_agg(c)): its keys are the columns' names
                action = new MaskAction.JsonFields(masking.strategies(), lineage[i].wholeRows().size() == 1
                        ? lineage[i].wholeRows().iterator().next().name() : "");
                reasons.add(column.label() + ": rows of " + lineage[i].wholeRows() + ", masked key by key");
            } else if (lineage != null && lineage[i].kind() != OutputColumn.Kind.UNKNOWN) {
                Optional<DataClass> cls = derivedClass(masking.directive(), lineage[i]);
                if (cls.isPresent()) {
                    action = new MaskAction.WholeValue(cls.get(), masking.strategies().get(cls.get()));
                    reasons.add(column.label() + ": computed from " + words(cls.get()) + " data");
                } else if (lineage[i].kind() != OutputColumn.Kind.CONSTANT && column.type().isTextual()) {
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

    /**
     * The statement's output columns lined up with the result's, or null when they cannot be: a
     * star or other expanding entry stands for the columns between those before and after it.
     */
    static OutputColumn[] align(List<OutputColumn> outputs, int count) {
        if (outputs.isEmpty()) {
            return null;
        }
        int expanding = -1;
        for (int i = 0; i < outputs.size(); i++) {
            if (outputs.get(i).expands()) {
                if (expanding >= 0) {
                    return null; // two spans of unknown width: no telling where one ends
                }
                expanding = i;
            }
        }
        OutputColumn[] aligned = new OutputColumn[count];
        if (expanding < 0) {
            if (outputs.size() != count) {
                return null;
            }
            return outputs.toArray(aligned);
        }
        int before = expanding;
        int after = outputs.size() - expanding - 1;
        if (before + after > count) {
            return null;
        }
        for (int i = 0; i < before; i++) {
            aligned[i] = outputs.get(i);
        }
        for (int i = 0; i < after; i++) {
            aligned[count - after + i] = outputs.get(expanding + 1 + i);
        }
        for (int i = before; i < count - after; i++) {
            aligned[i] = outputs.get(expanding);
        }
        return aligned;
    }

    /**
     * The class of a computed column from what it is derived from: one class when its sensitive
     * sources have one, SECRET (redacted) when they mix several or when whole rows flow into it.
     */
    private Optional<DataClass> derivedClass(MaskingDirective directive, OutputColumn output) {
        if (!output.wholeRows().isEmpty() || output.kind() == OutputColumn.Kind.STAR) {
            // whole rows, or a star the database could not trace (through a union): any column of the tables
            return Optional.of(DataClass.SECRET);
        }
        DataClass found = null;
        for (ColumnRef source : output.sources()) {
            if (source.everyColumn()) {
                return Optional.of(DataClass.SECRET);
            }
            Optional<DataClass> cls = classOf(directive, source.table(), source.column());
            if (cls.isPresent()) {
                found = strictest(found, cls.get());
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether none of the columns named as sources (besides whole rows) is sensitive. */
    private boolean noSensitiveSource(MaskingDirective directive, OutputColumn output) {
        for (ColumnRef source : output.sources()) {
            if (source.everyColumn() || classOf(directive, source.table(), source.column()).isPresent()) {
                return false;
            }
        }
        return true;
    }

    private Optional<DataClass> classOf(MaskingDirective directive, TableName table, String name) {
        String key = table.name().toLowerCase(Locale.ROOT) + "." + name.toLowerCase(Locale.ROOT);
        String configured = directive.columns().get(key);
        if (configured == null && table.qualified()) {
            configured = directive.columns().get(table.schema().toLowerCase(Locale.ROOT) + "." + key);
        }
        if (configured != null) {
            return Optional.ofNullable(MaskingDirective.CLASSES.contains(configured) ? dataClass(configured) : null);
        }
        return directive.detect() ? classifier.classify(table.schema(), table.name(), name, ColumnType.text()) : Optional.empty();
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
                    Optional<DataClass> cls = classOf(directive, table, name);
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
