package dev.parapet.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.config.AuditSinkConfig;
import dev.parapet.config.Secret;
import java.time.Clock;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The Kafka sink's settings, checked when the gateway starts; no broker needed. */
class KafkaSinkProviderTest {

    private static final AuditContext CONTEXT = new AuditContext("gw-1", null, Clock.systemUTC());

    @Test
    void isFoundThroughTheServiceLoaderAsKafka() {
        assertThat(ServiceLoader.load(AuditSinkProvider.class).stream().map(p -> p.get().type()))
                .contains("kafka");
    }

    @Test
    void requiresBootstrapServers() {
        assertThatThrownBy(() -> producerConfig(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("audit sink audit-kafka: setting 'bootstrap-servers' is required");
    }

    @Test
    void passesPropertiesToTheProducerWithSecretsRevealedAndTheGuaranteeFixed() {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"gw\" password=\"pw\";";
        Map<String, Object> producer = producerConfig(Map.of(
                "bootstrap-servers", "k1:9092,k2:9092",
                "timeout", "10s",
                "properties", Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "sasl.jaas.config", new Secret(jaas))));
        assertThat(producer).containsEntry("bootstrap.servers", "k1:9092,k2:9092")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", jaas)
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("max.in.flight.requests.per.connection", "5")
                .containsEntry("compression.type", "gzip")
                .containsEntry("delivery.timeout.ms", "10000")
                .containsEntry("max.block.ms", "10000")
                .containsEntry("client.id", "parapet-audit-gw-1");
        assertThat(Long.parseLong((String) producer.get("request.timeout.ms")) + Long.parseLong((String) producer.get("linger.ms")))
                .as("a request fits in the delivery timeout, as the producer requires")
                .isLessThanOrEqualTo(10_000);
    }

    @Test
    void refusesPropertiesThatWouldWeakenTheGuarantee() {
        for (String key : new String[] {"acks", "enable.idempotence", "transactional.id", "delivery.timeout.ms"}) {
            assertThatThrownBy(() -> producerConfig(Map.of("bootstrap-servers", "k:9092", "properties", Map.of(key, "1"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + key + "' is set by the sink");
        }
        assertThatThrownBy(() -> producerConfig(Map.of("bootstrap-servers", "k:9092",
                        "properties", Map.of("max.in.flight.requests.per.connection", "6"))))
                .hasMessageContaining("must be 1 to 5");
    }

    @Test
    void refusesACompressionWhoseCodecIsNotOnTheClassPath() {
        assertThatThrownBy(() -> producerConfig(Map.of("bootstrap-servers", "k:9092", "properties", Map.of("compression.type", "zstd"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("compression.type zstd needs its codec jar");
        assertThat(producerConfig(Map.of("bootstrap-servers", "k:9092", "properties", Map.of("compression.type", "none"))))
                .containsEntry("compression.type", "none");
    }

    @Test
    void refusesAnEmptyTopicAndANonPositiveTimeout() {
        KafkaSink.Provider provider = new KafkaSink.Provider();
        assertThatThrownBy(() -> provider.create(config(Map.of("bootstrap-servers", "k:9092", "topic", " ")), CONTEXT))
                .hasMessage("audit sink audit-kafka: setting 'topic' is empty");
        assertThatThrownBy(() -> provider.create(config(Map.of("bootstrap-servers", "k:9092", "timeout", "0s")), CONTEXT))
                .hasMessage("audit sink audit-kafka: setting 'timeout' must be positive");
    }

    private static Map<String, Object> producerConfig(Map<String, Object> settings) {
        AuditSinkConfig config = config(settings);
        return KafkaSink.Provider.producerConfig(config, CONTEXT, config.duration("timeout", KafkaSink.DEFAULT_TIMEOUT));
    }

    private static AuditSinkConfig config(Map<String, Object> settings) {
        return new AuditSinkConfig("kafka", "audit-kafka", settings);
    }
}
