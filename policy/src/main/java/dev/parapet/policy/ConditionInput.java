package dev.parapet.policy;

import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelVariableResolver;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What a {@code when:} condition sees of one statement: the identity, the target, the statement
 * and the time. A value is computed only when an expression asks for it, so a decision whose rules
 * have no condition, or whose conditions look at the identity only, pays nothing for the rest. One
 * instance serves one decision (it is not thread-safe); every condition of that decision sees the
 * same instant.
 *
 * <p>A statement the analyzer could not read has a fingerprint and nothing else: a condition that
 * needs more of it has no answer, and the engine then takes the cautious side.
 */
final class ConditionInput implements CelVariableResolver {

    private static final CelType STRING = SimpleType.STRING;
    private static final CelType STRINGS = ListType.create(SimpleType.STRING);

    /** Every variable an expression may use, with its CEL type; the compiler rejects any other. */
    static final Map<String, CelType> VARIABLES = variables();

    private final PolicyRequest request;
    private final Clock clock;
    private Instant now;
    private List<StatementInfo> executed;

    ConditionInput(PolicyRequest request, Clock clock) {
        this.request = request;
        this.clock = clock;
    }

    private static Map<String, CelType> variables() {
        Map<String, CelType> all = new LinkedHashMap<>();
        for (String field : List.of("subject", "name", "email", "groups", "kind", "issuer")) {
            all.put("identity." + field, field.equals("groups") ? STRINGS : STRING);
        }
        for (String field : List.of("name", "environment", "dialect")) {
            all.put("target." + field, STRING);
        }
        for (String field : List.of("kinds", "tables_read", "tables_written", "functions", "object_types")) {
            all.put("statement." + field, STRINGS);
        }
        all.put("statement.multi", SimpleType.BOOL);
        all.put("statement.fingerprint", STRING);
        all.put("time", SimpleType.TIMESTAMP);
        return Collections.unmodifiableMap(all);
    }

    @Override
    public Optional<Object> find(String variable) {
        return Optional.ofNullable(value(variable));
    }

    private Object value(String variable) {
        Principal who = request.principal();
        return switch (variable) {
            case "identity.subject" -> text(who.subject());
            case "identity.name" -> who.name();
            case "identity.email" -> who.email();
            case "identity.groups" -> who.groups().stream().sorted().toList();
            case "identity.kind" -> who.kind().name().toLowerCase(Locale.ROOT);
            case "identity.issuer" -> who.issuer();
            case "target.name" -> text(request.target());
            case "target.environment" -> text(request.environment());
            case "target.dialect" -> request.dialect().name().toLowerCase(Locale.ROOT);
            case "statement.fingerprint" -> request.analysis().fingerprint();
            case "time" -> now();
            default -> request.analysis() instanceof StatementAnalysis.Analyzed analysis
                    ? statement(variable, analysis) : null;
        };
    }

    private Object statement(String variable, StatementAnalysis.Analyzed analysis) {
        return switch (variable) {
            case "statement.kinds" -> collect(s -> List.of(kindName(s.kind())));
            case "statement.tables_read" -> collect(s -> s.tablesRead().stream().map(TableName::toString).toList());
            case "statement.tables_written" -> collect(s -> s.tablesWritten().stream().map(TableName::toString).toList());
            case "statement.functions" -> collect(s -> List.copyOf(s.functions()));
            case "statement.object_types" -> collect(s -> s.objectType().isEmpty() ? List.of() : List.of(s.objectType()));
            case "statement.multi" -> analysis.multiStatement();
            default -> null;
        };
    }

    /** A kind as rules name it under {@code statements:}: {@code delete}, {@code create-function}. */
    static String kindName(StatementKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The distinct values found in the statements that run, in the order met. */
    private List<String> collect(Function<StatementInfo, List<String>> values) {
        if (executed == null) {
            executed = ((StatementAnalysis.Analyzed) request.analysis()).executedStatements();
        }
        Set<String> all = new LinkedHashSet<>();
        for (StatementInfo statement : executed) {
            all.addAll(values.apply(statement));
        }
        return List.copyOf(all);
    }

    private Instant now() {
        if (now == null) {
            now = clock.instant();
        }
        return now;
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }
}
