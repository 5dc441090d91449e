package dev.parapet.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * What one statement's audit event costs: building it as a session does (the session's and the
 * statement shape's attributes shared, about ten of its own), turning it into JSON, and appending
 * it to the file sink's hash chain (buffered; the batch's write and fsync are not counted). Not a
 * test: run it by hand with {@link #main}, as the other benchmarks (see CellMaskerBenchmark).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AuditEventBenchmark {

    private AuditEvent.Fragment session;
    private AuditEvent.Fragment shape;
    private AuditEvent built;
    private ChainWriter chain;
    private Path dir;

    @Setup
    public void setUp() throws Exception {
        session = AuditEvent.Fragment.of(e -> e.put(AuditFields.INSTANCE, "gw-1").put(AuditFields.USER_ID, "5f1c7a2e-0b9d-4c55-9e1a-7d3b2c1f0a99")
                .put(AuditFields.USER_NAME, "Alice Analyst").put(AuditFields.USER_EMAIL, "alice@example.com")
                .put(AuditFields.USER_ROLES, List.of("analysts", "pii-readers")).put(AuditFields.IDENTITY_KIND, "human")
                .put(AuditFields.IDENTITY_ISSUER, "https://login.example.com/realms/corp").put(AuditFields.CLIENT_ADDRESS, "10.0.4.17")
                .put(AuditFields.CLIENT_PORT, 52814).put(AuditFields.CLIENT_APPLICATION, "pgbench").put(AuditFields.TARGET, "prod")
                .put(AuditFields.ENVIRONMENT, "prod").put(AuditFields.DB_SYSTEM, "postgresql").put(AuditFields.DB_NAMESPACE, "prod")
                .put(AuditFields.PROTOCOL, "postgresql"));
        shape = AuditEvent.Fragment.of(e -> e.put(AuditFields.OPERATION, "UPDATE")
                .put(AuditFields.QUERY_TEXT, "update pgbench_accounts set abalance = abalance + ? where aid = ?")
                .put(AuditFields.FINGERPRINT, "5e0c9a7d2b41f6e3").put(AuditFields.TABLES_READ, List.of("pgbench_accounts"))
                .put(AuditFields.TABLES_WRITTEN, List.of("pgbench_accounts"))
                .put(AuditFields.COLUMNS, List.of("pgbench_accounts.abalance", "pgbench_accounts.aid")));
        built = statement();
        built.json();
        chain = new ChainWriter(null);
    }

    private AuditEvent statement() {
        return AuditEvent.builder(AuditFields.STATEMENT, Instant.now()).session("1234").with(session, shape)
                .put(AuditFields.QUERY_PROTOCOL, "simple").put(AuditFields.DECISION, "allowed")
                .put(AuditFields.TRANSACTION, 42L).put(AuditFields.COMMAND_TAGS, List.of("UPDATE 1"))
                .put(AuditFields.ROWS_AFFECTED, 1L).put(AuditFields.DURATION_MS, 0.412).build();
    }

    @Benchmark
    public AuditEvent build() {
        return statement();
    }

    @Benchmark
    public byte[] buildAndRender() {
        return statement().json();
    }

    @Benchmark
    public int chainAppend() {
        if (chain.length() > 32 * 1024) {
            chain.clear();
        }
        chain.event(built);
        return chain.length();
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(AuditEventBenchmark.class.getSimpleName()).forks(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1)).measurementIterations(5)
                .measurementTime(TimeValue.seconds(1)).build()).run();
    }
}
