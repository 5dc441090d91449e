package dev.parapet.audit;

import dev.parapet.config.AuditSinkConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Events as records of a Kafka topic: keyed by session, so that one session's events keep their
 * order in one partition; the value is the event's JSON line, and the headers {@code event.id} and
 * {@code event.name} let consumers route and de-duplicate without parsing it.
 *
 * <p>A write returns once every record of the batch is acknowledged by all in-sync replicas, and
 * throws otherwise. The pipeline then hands the same batch over again, so a record can land twice:
 * delivery is at least once, and consumers drop an {@code event.id} they have already seen.
 */
final class KafkaSink implements AuditSink {

    static final String DEFAULT_TOPIC = "parapet-audit";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final String topic;
    private final Duration timeout;
    private final Producer<byte[], byte[]> producer;

    KafkaSink(String name, String topic, Duration timeout, Producer<byte[], byte[]> producer) {
        this.name = name;
        this.topic = topic;
        this.timeout = timeout;
        this.producer = producer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void write(List<AuditEvent> batch) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        for (AuditEvent event : batch) {
            Future<RecordMetadata> ack = producer.send(record(event));
            if (ack.isDone()) {
                // Failed before leaving the client (no metadata within the timeout, a record too
                // large): the rest of the batch would fail the same way, each after its own wait.
                await(ack, event, 0);
            }
            acks.add(ack);
        }
        producer.flush();
        for (int i = 0; i < acks.size(); i++) {
            await(acks.get(i), batch.get(i), deadline - System.nanoTime());
        }
    }

    private ProducerRecord<byte[], byte[]> record(AuditEvent event) {
        byte[] key = event.sessionId().isEmpty() ? null : event.sessionId().getBytes(StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key, event.json());
        record.headers()
                .add(new RecordHeader(AuditFields.EVENT_ID, event.id().getBytes(StandardCharsets.UTF_8)))
                .add(new RecordHeader(AuditFields.EVENT_NAME, event.name().getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    private void await(Future<RecordMetadata> ack, AuditEvent event, long nanos) throws IOException, InterruptedException {
        try {
            ack.get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IOException(failure(event) + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(failure(event) + ": no acknowledgement within " + timeout, e);
        }
    }

    private String failure(AuditEvent event) {
        return "audit sink " + name + ": Kafka did not take event " + event.id() + " on topic " + topic;
    }

    @Override
    public void close() {
        producer.close(timeout);
    }

    /** Makes Kafka sinks. */
    public static final class Provider implements AuditSinkProvider {

        /** Producer settings the sink decides itself: the guarantee it gives depends on them. */
        private static final Set<String> FIXED = Set.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ProducerConfig.ACKS_CONFIG,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                ProducerConfig.MAX_BLOCK_MS_CONFIG);

        /** The codecs kafka-clients loads from a jar of their own, which Parapet leaves out. */
        private static final Map<String, String> CODEC_CLASSES = Map.of(
                "lz4", "net.jpountz.lz4.LZ4Factory",
                "snappy", "org.xerial.snappy.Snappy",
                "zstd", "com.github.luben.zstd.Zstd");

        @Override
        public String type() {
            return "kafka";
        }

        @Override
        public AuditSink create(AuditSinkConfig config, AuditContext context) {
            String topic = config.string("topic").orElse(DEFAULT_TOPIC);
            if (topic.isBlank()) {
                throw new IllegalArgumentException("audit sink " + config.name() + ": setting 'topic' is empty");
            }
            Duration timeout = config.duration("timeout", DEFAULT_TIMEOUT);
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("audit sink " + config.name() + ": setting 'timeout' must be positive");
            }
            Map<String, Object> producerConfig = producerConfig(config, context, timeout);
            try {
                return new KafkaSink(config.name(), topic, timeout,
                        new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer()));
            } catch (KafkaException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new IllegalArgumentException("audit sink " + config.name() + ": the Kafka producer cannot be made: "
                        + cause.getMessage(), e);
            }
        }

        static Map<String, Object> producerConfig(AuditSinkConfig config, AuditContext context, Duration timeout) {
            Map<String, String> given = config.map("properties");
            for (String key : given.keySet()) {
                if (FIXED.contains(key)) {
                    throw new IllegalArgumentException("audit sink " + config.name() + ": producer property '" + key
                            + "' is set by the sink (use 'bootstrap-servers' and 'timeout'; acknowledgements are always acks=all, idempotent)");
                }
            }
            long inFlight = number(config, given, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            if (inFlight < 1 || inFlight > 5) {
                throw new IllegalArgumentException("audit sink " + config.name() + ": producer property '"
                        + ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION + "' must be 1 to 5 (more would reorder a session's events on retry)");
            }
            String compression = given.getOrDefault(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip").trim();
            String codecClass = CODEC_CLASSES.get(compression);
            if (codecClass != null && !onClassPath(codecClass)) {
                throw new IllegalArgumentException("audit sink " + config.name() + ": compression.type " + compression
                        + " needs its codec jar on the class path; gzip and none need nothing");
            }

            long timeoutMs = Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            long lingerMs = number(config, given, ProducerConfig.LINGER_MS_CONFIG, 5);
            // Settings as text, as a producer.properties file would hold them.
            Map<String, Object> out = new HashMap<>();
            out.put(ProducerConfig.CLIENT_ID_CONFIG, "parapet-audit-" + (context.instance() == null ? config.name() : context.instance()));
            out.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(lingerMs));
            // Kafka wants one request's time, linger included, to fit in the time a record has to be delivered.
            out.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1, Math.min(30_000, timeoutMs - lingerMs))));
            out.putAll(given);
            out.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.required("bootstrap-servers"));
            out.put(ProducerConfig.ACKS_CONFIG, "all");
            out.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            out.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, Long.toString(inFlight));
            out.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
            out.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(timeoutMs, lingerMs + 1)));
            out.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeoutMs));
            return out;
        }

        private static long number(AuditSinkConfig config, Map<String, String> given, String key, long otherwise) {
            String value = given.get(key);
            try {
                return value == null ? otherwise : Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("audit sink " + config.name() + ": producer property '" + key + "' is not a whole number");
            }
        }

        private static boolean onClassPath(String className) {
            try {
                Class.forName(className, false, Provider.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
    }
}
