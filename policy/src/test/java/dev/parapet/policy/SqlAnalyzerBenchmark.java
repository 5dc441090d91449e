package dev.parapet.policy;

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
 * What one analysis costs, with a cold cache (a new query shape every time: lexer, classifier and
 * JSqlParser) and with a warm one (the same shape with other literals: lexer, fingerprint and a
 * cache look-up), for pgbench's SELECT and for an ORM-style join. Not a test (surefire runs only
 * *Test classes): run it by hand with {@link #main}, which uses a short configuration (1 fork,
 * 3 x 2 s warm-up, 5 x 2 s measurement), e.g. from the repository root:
 *
 * <pre>
 * ./mvnw -B -q test-compile -pl policy -am
 * ./mvnw -B -q -pl policy dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
 * java -cp policy/target/test-classes:policy/target/classes:config/target/classes:$(cat policy/target/bench.classpath) \
 *     dev.parapet.policy.SqlAnalyzerBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SqlAnalyzerBenchmark {

    private static final String JOIN = "select o1_0.id, o1_0.total, c1_0.email from shop.orders o1_0 "
            + "left join shop.customers c1_0 on c1_0.id = o1_0.customer_id "
            + "where c1_0.email like $1 and o1_0.status in ('new', 'paid') order by o1_0.id desc limit 20 offset ";

    private SqlAnalyzer warm;
    private SqlAnalyzer cold;
    private long counter;

    @Setup
    public void setUp() {
        warm = new SqlAnalyzer(Dialect.POSTGRES);
        warm.analyze("SELECT abalance FROM pgbench_accounts WHERE aid = 1");
        warm.analyze(JOIN + 0);
        cold = new SqlAnalyzer(Dialect.POSTGRES);
    }

    /** pgbench's SELECT with a new literal: served from the cache. */
    @Benchmark
    public StatementAnalysis warmCacheSimpleSelect() {
        return warm.analyze("SELECT abalance FROM pgbench_accounts WHERE aid = " + (++counter));
    }

    /** pgbench's SELECT with a column name never seen: a new shape, parsed. */
    @Benchmark
    public StatementAnalysis coldCacheSimpleSelect() {
        return cold.analyze("SELECT abalance, c" + (++counter) + " FROM pgbench_accounts WHERE aid = 1");
    }

    /** An ORM join with a new literal: served from the cache. */
    @Benchmark
    public StatementAnalysis warmCacheJoin() {
        return warm.analyze(JOIN + (++counter));
    }

    /** An ORM join with an alias never seen: a new shape, parsed. */
    @Benchmark
    public StatementAnalysis coldCacheJoin() {
        return cold.analyze(JOIN.replace("o1_0", "o" + (++counter)) + 0);
    }

    public static void main(String[] args) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(SqlAnalyzerBenchmark.class.getName())
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(2))
                .build();
        new Runner(options).run();
    }
}
