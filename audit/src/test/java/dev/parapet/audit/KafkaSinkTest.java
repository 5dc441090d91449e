package dev.parapet.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.config.AuditSinkConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka sink against a real broker, one for the whole class, started in this JVM ({@link KafkaNode}). */
class KafkaSinkTest {

    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    static Path dir;

    private static KafkaNode kafka;
    private static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception {
        long started = System.nanoTime();
        kafka = KafkaNode.start(dir);
        admin = kafka.admin();
        System.out.printf("Kafka controller and broker ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void keepsEachSessionsEventsInOrderInOnePartitionWithKeyAndHeaders(TestInfo test) throws Exception {
        String topic = topic(test, 3);
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            for (String session : List.of("s-alice", "s-bob", "s-carol", "s-dave")) {
                events.add(statement(session, "select " + i));
            }
        }
        try (AuditSink sink = sink(kafka.bootstrapServers(), topic, Duration.ofSeconds(10))) {
            sink.write(events.subList(0, 20));
            sink.write(events.subList(20, events.size()));
        }

        List<ConsumerRecord<byte[], byte[]>> records = read(topic, events.size());
        assertThat(records).hasSize(events.size());
        Map<String, List<ConsumerRecord<byte[], byte[]>>> bySession = records.stream().collect(
                Collectors.groupingBy(r -> text(r.key()), LinkedHashMap::new, Collectors.toList()));
        assertThat(bySession).containsOnlyKeys("s-alice", "s-bob", "s-carol", "s-dave");
        Set<Integer> partitionsUsed = new LinkedHashSet<>();
        bySession.forEach((session, landed) -> {
            assertThat(landed).extracting(ConsumerRecord::partition).as("partitions of %s", session).containsOnly(landed.get(0).partition());
            partitionsUsed.add(landed.get(0).partition());
            List<AuditEvent> written = events.stream().filter(e -> e.sessionId().equals(session)).toList();
            assertThat(landed).extracting(r -> header(r, "event.id")).containsExactlyElementsOf(written.stream().map(AuditEvent::id).toList());
            for (int i = 0; i < written.size(); i++) {
                ConsumerRecord<byte[], byte[]> record = landed.get(i);
                assertThat(record.value()).isEqualTo(written.get(i).json());
                assertThat(header(record, "event.name")).isEqualTo(AuditFields.STATEMENT);
                assertThat(AuditEvent.parse(record.value()).id()).isEqualTo(header(record, "event.id"));
            }
        });
        assertThat(partitionsUsed).as("four sessions spread over three partitions").hasSizeGreaterThan(1);
    }

    @Test
    void aBatchWrittenAgainLandsAgainWithTheSameEventIds(TestInfo test) throws Exception {
        String topic = topic(test, 1);
        List<AuditEvent> batch = List.of(statement("s-1", "select 1"), statement("s-1", "update t set a = ?"), statement("s-1", "select 2"));
        try (AuditSink sink = sink(kafka.bootstrapServers(), topic, Duration.ofSeconds(10))) {
            sink.write(batch);
            sink.write(batch); // what the pipeline does when an acknowledgement was lost
        }

        List<ConsumerRecord<byte[], byte[]>> records = read(topic, 2 * batch.size());
        List<String> ids = batch.stream().map(AuditEvent::id).toList();
        List<String> landed = records.stream().map(r -> header(r, "event.id")).toList();
        assertThat(landed).hasSize(6).containsExactlyElementsOf(concat(ids, ids));
        // a consumer that keeps the first record of each event.id sees each event once, in order
        assertThat(new LinkedHashSet<>(landed)).containsExactlyElementsOf(ids);
    }

    @Test
    void throwsWithinTheTimeoutWhenNoBrokerAnswers() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (AuditSink sink = sink("127.0.0.1:" + closedPort, "parapet-audit", SHORT_TIMEOUT)) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> sink.write(List.of(statement("s-1", "select 1"), statement("s-1", "select 2"))))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("audit sink kafka-test")
                    .hasMessageContaining("parapet-audit");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(SHORT_TIMEOUT.minusMillis(500), SHORT_TIMEOUT.plusSeconds(2));
        }
    }

    @Test
    void throwsWhileTheBrokerIsDownAndWritesAgainOnceItIsBack(TestInfo test) throws Exception {
        String topic = topic(test, 1);
        List<AuditEvent> before = List.of(statement("s-1", "select 1"));
        List<AuditEvent> during = List.of(statement("s-1", "select 2"), statement("s-1", "select 3"));
        try (AuditSink sink = sink(kafka.bootstrapServers(), topic, SHORT_TIMEOUT)) {
            sink.write(before);

            kafka.stop();
            try {
                long started = System.nanoTime();
                assertThatThrownBy(() -> sink.write(during)).isInstanceOf(IOException.class).hasMessageContaining(during.get(0).id());
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(SHORT_TIMEOUT.plusSeconds(2));
            } finally {
                kafka.start(); // on the same port and data
            }

            sink.write(during); // the pipeline's retry
        }

        List<String> landed = read(topic, 3).stream().map(r -> header(r, "event.id")).toList();
        assertThat(new LinkedHashSet<>(landed)).containsExactlyElementsOf(concat(before, during).stream().map(AuditEvent::id).toList());
    }

    private static AuditSink sink(String bootstrapServers, String topic, Duration timeout) throws Exception {
        AuditSinkConfig config = new AuditSinkConfig("kafka", "kafka-test", Map.of(
                "bootstrap-servers", bootstrapServers,
                "topic", topic,
                "timeout", timeout.toMillis() + "ms"));
        return new KafkaSink.Provider().create(config, new AuditContext("test", dir, Clock.systemUTC()));
    }

    private static AuditEvent statement(String session, String query) {
        return AuditEvent.builder(AuditFields.STATEMENT, Instant.now()).session(session).put(AuditFields.QUERY_TEXT, query).build();
    }

    private static String topic(TestInfo test, int partitions) throws Exception {
        String name = "audit-" + test.getTestMethod().orElseThrow().getName();
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        return name;
    }

    /** Every record of {@code topic}, from the start, once {@code expected} have come (or 20 s have passed). */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(300)).forEach(records::add); // nothing more should come
            return records;
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : text(header.value());
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static <T> List<T> concat(List<? extends T> first, List<? extends T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
