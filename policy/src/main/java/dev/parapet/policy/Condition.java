package dev.parapet.policy;

import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A rule's {@code when:} condition, written in CEL (the Common Expression Language): the rule
 * only has its say on a statement when the condition is true. The expression is parsed and
 * type-checked once, when the policy loads, against the variables of {@link ConditionInput}: a
 * misspelt variable or an expression that is not true-or-false is a load error, not a surprise in
 * production. Immutable and thread-safe.
 */
public final class Condition {

    /** No condition: the rule always has its say. */
    public static final Condition ALWAYS = new Condition("", null);

    private static final Pattern CONTAINER = Pattern.compile(" \\(in container '[^']*'\\)");
    private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '(identity|target|statement)'");
    private static final Pattern NOT_BOOL = Pattern.compile("expected type 'bool' but found '([^']*)'");
    private static final Pattern REFERENCE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\s*\\.\\s*[A-Za-z_][A-Za-z0-9_]*)?");

    private final String source;
    private final CelRuntime.Program program;

    private Condition(String source, CelRuntime.Program program) {
        this.source = source;
        this.program = program;
    }

    /**
     * The compiler and runtime, built on first use (that takes most of a second): a policy without
     * conditions never pays for them.
     */
    private static final class Cel {
        static final CelCompiler COMPILER = compiler();
        static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

        private static CelCompiler compiler() {
            CelCompilerBuilder builder = CelCompilerFactory.standardCelCompilerBuilder()
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .setResultType(SimpleType.BOOL);
            ConditionInput.VARIABLES.forEach(builder::addVar);
            return builder.build();
        }
    }

    /** Compiles an expression; the exception lists every problem found, each with its place in the expression. */
    public static Condition compile(String expression) throws InvalidConditionException {
        if (expression == null || expression.isBlank()) {
            throw new InvalidConditionException(List.of("the condition is empty"));
        }
        CelValidationResult result = Cel.COMPILER.compile(expression);
        if (result.hasError()) {
            List<String> problems = new ArrayList<>();
            for (CelIssue issue : result.getErrors()) {
                problems.add(describe(issue, expression));
            }
            throw new InvalidConditionException(problems);
        }
        try {
            return new Condition(expression, Cel.RUNTIME.createProgram(result.getAst()));
        } catch (CelValidationException | CelEvaluationException e) {
            throw new InvalidConditionException(List.of(e.getMessage()));
        }
    }

    /** The expression as written; empty for {@link #ALWAYS}. */
    public String source() {
        return source;
    }

    /**
     * Whether the condition is true for this statement. When it has no answer (a runtime error
     * such as an index out of range or an unknown time zone, or a value the statement does not
     * have) the result is {@code whenUnknown}: the engine passes the answer that refuses rather
     * than the one that lets the statement through.
     */
    boolean holds(ConditionInput input, boolean whenUnknown) {
        if (program == null) {
            return true;
        }
        try {
            return program.eval(input) instanceof Boolean value ? value : whenUnknown;
        } catch (CelEvaluationException | RuntimeException e) {
            return whenUnknown;
        }
    }

    /**
     * Whether the condition holds for {@code request} at the time {@code clock} gives, or
     * {@code whenUnknown} when it has no answer. For conditions evaluated outside a statement's
     * decision (who may approve a request).
     */
    public boolean holdsFor(PolicyRequest request, java.time.Clock clock, boolean whenUnknown) {
        return holds(new ConditionInput(request, clock), whenUnknown);
    }

    private static String describe(CelIssue issue, String expression) {
        String message = CONTAINER.matcher(issue.getMessage()).replaceAll("");
        int line = issue.getSourceLocation().getLine();
        int column = issue.getSourceLocation().getColumn();
        Matcher undeclared = UNDECLARED.matcher(message);
        Matcher notBool = NOT_BOOL.matcher(message);
        if (undeclared.matches()) {
            message = unknownField(undeclared.group(1), expression, line, column);
        } else if (notBool.matches()) {
            message = "a condition must be true or false, and this one is a " + notBool.group(1);
        }
        if (line <= 0 || column < 0) {
            return message;
        }
        return message + (expression.contains("\n") ? " (line " + line + ", column " + (column + 1) + ")"
                : " (column " + (column + 1) + ")");
    }

    /** {@code identity.emial} is reported by CEL as an unknown {@code identity}; say which fields exist. */
    private static String unknownField(String root, String expression, int line, int column) {
        String fields = ConditionInput.VARIABLES.keySet().stream().filter(v -> v.startsWith(root + "."))
                .map(v -> v.substring(root.length() + 1)).collect(Collectors.joining(", "));
        String written = root;
        String[] lines = expression.split("\n", -1);
        if (line >= 1 && line <= lines.length && column >= 0 && column < lines[line - 1].length()) {
            Matcher reference = REFERENCE.matcher(lines[line - 1]).region(column, lines[line - 1].length());
            if (reference.lookingAt()) {
                written = reference.group().replaceAll("\\s", "");
            }
        }
        return (written.equals(root) ? root + " is not a value by itself" : "unknown field '" + written + "'")
                + "; " + root + " has " + fields;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Condition that && source.equals(that.source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }
}
