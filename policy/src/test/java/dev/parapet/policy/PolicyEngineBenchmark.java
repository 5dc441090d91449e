package dev.parapet.policy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * What a {@code when:} condition adds to a decision: one DELETE decided against a rule that
 * refuses it, without a condition, with an identity condition, and with a condition on the
 * statement's tables and the time of day. The analysis is done once, in the set-up: only the
 * engine is measured. Not a test; run it by hand as {@link SqlAnalyzerBenchmark} says, with this
 * class's name.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyEngineBenchmark {

    private PolicyRequest request;
    private PolicyEngine plain;
    private PolicyEngine onIdentity;
    private PolicyEngine onStatementAndTime;

    @Setup
    public void setUp() throws Exception {
        Principal alice = new Principal("u-1", "Alice", "alice@corp.example", Set.of("dba", "oncall"),
                Principal.Kind.HUMAN, "https://idp.corp.example");
        request = new PolicyRequest(alice, "orders-db", "prod", Dialect.POSTGRES,
                new SqlAnalyzer(Dialect.POSTGRES).analyze("delete from shop.orders where id = 1"));
        Clock clock = Clock.fixed(Instant.parse("2026-03-04T06:30:00Z"), ZoneOffset.UTC);
        plain = new PolicyEngine(List.of(new Rule.DenyStatementKinds("no-delete", null, RuleScope.EVERYWHERE,
                Set.of(StatementKind.DELETE))), clock);
        onIdentity = new PolicyEngine(List.of(new Rule.DenyStatementKinds("no-delete", null,
                RuleScope.EVERYWHERE.onlyWhen(Condition.compile("'dba' in identity.groups")),
                Set.of(StatementKind.DELETE))), clock);
        onStatementAndTime = new PolicyEngine(List.of(new Rule.DenyStatementKinds("no-delete", null,
                RuleScope.EVERYWHERE.onlyWhen(Condition.compile(
                        "'shop.orders' in statement.tables_written && time.getHours('Europe/Paris') < 8")),
                Set.of(StatementKind.DELETE))), clock);
    }

    @Benchmark
    public Decision withoutCondition() {
        return plain.decide(request);
    }

    @Benchmark
    public Decision identityCondition() {
        return onIdentity.decide(request);
    }

    @Benchmark
    public Decision statementAndTimeCondition() {
        return onStatementAndTime.decide(request);
    }

    public static void main(String[] args) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(PolicyEngineBenchmark.class.getName())
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(2))
                .build();
        new Runner(options).run();
    }
}
