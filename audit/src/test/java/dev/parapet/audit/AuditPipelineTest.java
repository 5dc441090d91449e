package dev.parapet.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.config.AuditConfig;
import dev.parapet.config.ByteSize;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditPipelineTest {

    @TempDir
    Path dir;

    /** A sink kept in memory that can be switched off, as a database or collector going down would be. */
    static final class SwitchableSink implements AuditSink {
        final List<String> ids = new CopyOnWriteArrayList<>();
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        volatile boolean down;
        volatile int writes;

        @Override
        public String name() {
            return "memory";
        }

        @Override
        public void write(List<AuditEvent> batch) throws Exception {
            writes++;
            if (down) {
                throw new java.io.IOException("connection refused");
            }
            batches.add(batch.size());
            batch.forEach(e -> ids.add(e.text("seq")));
        }

        @Override
        public void close() {
        }
    }

    private AuditConfig config(int queue, long spoolBytes, boolean spool) {
        return new AuditConfig(null, queue, 50, Duration.ofMillis(20), Duration.ofMillis(10), Duration.ofMillis(40),
                spool ? dir.resolve("spool") : null, new ByteSize(spoolBytes), List.of());
    }

    private static AuditEvent event(int seq) {
        return AuditEvent.builder(AuditFields.STATEMENT, Instant.now()).session("s" + (seq % 3)).put("seq", Integer.toString(seq))
                .put(AuditFields.QUERY_TEXT, "select ? from t where id = ?").build();
    }

    private static List<String> numbers(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - until).as("waited 20 s").isNegative();
            Thread.sleep(5);
        }
    }

    @Test
    void deliversEveryEventInOrderInBatches() throws Exception {
        SwitchableSink sink = new SwitchableSink();
        AuditPipeline pipeline = AuditPipeline.start(config(10_000, 1 << 20, false), List.of(sink), new SimpleMeterRegistry());
        for (int i = 0; i < 1000; i++) {
            assertThat(pipeline.record(event(i))).isTrue();
        }
        await(() -> sink.ids.size() == 1000);
        pipeline.close(Duration.ofSeconds(5));
        assertThat(sink.ids).containsExactlyElementsOf(numbers(0, 1000));
        assertThat(sink.batches).allMatch(size -> size <= 50);
        assertThat(sink.batches.size()).as("batched, not one write per event").isLessThan(500);
    }

    @Test
    void aSinkThatGoesDownGetsEverythingInOrderWhenItComesBackWithTheSpoolInBetween() throws Exception {
        SwitchableSink sink = new SwitchableSink();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AuditPipeline pipeline = AuditPipeline.start(config(10_000, 1 << 20, true), List.of(sink), registry);
        for (int i = 0; i < 100; i++) {
            pipeline.record(event(i));
        }
        await(() -> sink.ids.size() == 100);
        sink.down = true;
        for (int i = 100; i < 600; i++) {
            pipeline.record(event(i));
            if (i % 50 == 0) {
                Thread.sleep(3);
            }
        }
        await(() -> Files.exists(dir.resolve("spool/memory/spool.jsonl")) && sizeOf(dir.resolve("spool/memory/spool.jsonl")) > 0);
        assertThat(pipeline.canRecord()).as("down, but the spool has room").isTrue();
        assertThat(registry.get("parapet.audit.write.failures").counter().count()).isPositive();
        sink.down = false;
        await(() -> sink.ids.size() >= 600);
        pipeline.close(Duration.ofSeconds(5));
        assertThat(sink.ids).as("exactly once and in order: the sink never took part of a failed batch")
                .containsExactlyElementsOf(numbers(0, 600));
        assertThat(sizeOf(dir.resolve("spool/memory/spool.jsonl"))).as("emptied once delivered").isZero();
    }

    @Test
    void whatCouldNotBeDeliveredBeforeAShutdownIsDeliveredFirstAfterTheNextStart() throws Exception {
        SwitchableSink down = new SwitchableSink();
        down.down = true;
        AuditPipeline first = AuditPipeline.start(config(10_000, 1 << 20, true), List.of(down), new SimpleMeterRegistry());
        for (int i = 0; i < 300; i++) {
            first.record(event(i));
        }
        first.close(Duration.ofMillis(300));
        assertThat(down.ids).isEmpty();

        SwitchableSink up = new SwitchableSink();
        AuditPipeline second = AuditPipeline.start(config(10_000, 1 << 20, true), List.of(up), new SimpleMeterRegistry());
        for (int i = 300; i < 400; i++) {
            second.record(event(i));
        }
        await(() -> up.ids.size() >= 400);
        second.close(Duration.ofSeconds(5));
        assertThat(up.ids).containsExactlyElementsOf(numbers(0, 400));
    }

    @Test
    void withTheSinkDownAndTheSpoolFullNothingMoreCanBeRecordedUntilItRecovers() throws Exception {
        SwitchableSink sink = new SwitchableSink();
        sink.down = true;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AuditPipeline pipeline = AuditPipeline.start(config(64, 4_000, true), List.of(sink), registry);
        int given = 0;
        while (pipeline.canRecord() && given < 10_000) {
            pipeline.record(event(given++));
            Thread.sleep(1);
        }
        assertThat(pipeline.canRecord()).isFalse();
        assertThat(pipeline.problem()).contains("memory").contains("failing").contains("spool is full").contains("connection refused");
        assertThat(registry.get("parapet.audit.recording").gauge().value()).isZero();
        sink.down = false;
        await(pipeline::canRecord);
        int total = given;
        await(() -> sink.ids.size() >= total);
        pipeline.close(Duration.ofSeconds(5));
        assertThat(sink.ids).containsExactlyElementsOf(numbers(0, total));
    }

    @Test
    void withoutASpoolAFailingSinkStopsRecordingAtOnceAndKeepsWhatItHasInMemory() throws Exception {
        SwitchableSink sink = new SwitchableSink();
        sink.down = true;
        AuditPipeline pipeline = AuditPipeline.start(config(1_000, 0, false), List.of(sink), new SimpleMeterRegistry());
        pipeline.record(event(0));
        await(() -> !pipeline.canRecord());
        pipeline.record(event(1));
        sink.down = false;
        await(() -> sink.ids.size() == 2);
        assertThat(pipeline.canRecord()).isTrue();
        pipeline.close(Duration.ofSeconds(5));
        assertThat(sink.ids).containsExactly("0", "1");
    }

    @Test
    void aLineTornByACrashIsDroppedFromTheSpool() throws Exception {
        Path spoolDir = dir.resolve("torn");
        try (AuditSpool spool = new AuditSpool(spoolDir, 1 << 20)) {
            spool.append(List.of(event(1), event(2)));
        }
        Files.writeString(spoolDir.resolve("spool.jsonl"), "{\"parapet.schema\":1,\"event.id\":\"x", java.nio.file.StandardOpenOption.APPEND);
        try (AuditSpool spool = new AuditSpool(spoolDir, 1 << 20)) {
            AuditSpool.Batch batch = spool.peek(10);
            assertThat(batch.events()).extracting(e -> e.text("seq")).containsExactly("1", "2");
            spool.taken(batch.endPosition());
            assertThat(spool.isEmpty()).isTrue();
        }
    }

    @Test
    void eventsReadBackFromTheirJsonAreTheSameBytes() {
        AuditEvent event = AuditEvent.builder(AuditFields.STATEMENT, Instant.parse("2026-11-25T17:00:00.123456789Z"))
                .session("42").put(AuditFields.USER_ROLES, List.of("analysts", "pii-readers")).put(AuditFields.ROWS_RETURNED, 10L)
                .put(AuditFields.MASKED_COLUMNS, List.of(java.util.Map.of("column", "customers.email"))).build();
        AuditEvent back = AuditEvent.parse(event.json());
        assertThat(back.json()).isEqualTo(event.json());
        assertThat(back.id()).isEqualTo(event.id());
        assertThat(back.time()).isEqualTo(Instant.parse("2026-11-25T17:00:00.123456Z"));
        assertThat(back.attribute(AuditFields.USER_ROLES)).isEqualTo(List.of("analysts", "pii-readers"));
        assertThat(new String(event.json())).startsWith("{\"parapet.schema\":1,\"event.id\":\"").contains("\"session.id\":\"42\"");
    }

    @Test
    void idsAreUniqueAndOrderedByTime() {
        Instant t = Instant.now();
        String a = AuditEvent.newId(t);
        String b = AuditEvent.newId(t.plusMillis(1));
        assertThat(a).isNotEqualTo(AuditEvent.newId(t));
        assertThat(a.compareTo(b)).isNegative();
        assertThat(java.util.UUID.fromString(a).version()).isEqualTo(7);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
