package dev.parapet.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka node for tests: the KRaft controller and the broker of the Kafka release on the
 * test class path, in one server inside the test JVM, on free loopback ports, its log in a folder
 * of the test's. It can be stopped and started again on the same ports and data, as a broker
 * restarted by its operator would be.
 */
final class KafkaNode implements AutoCloseable {

    private final KafkaConfig config;
    private final String bootstrapServers;
    private KafkaRaftServer server;

    private KafkaNode(KafkaConfig config, String bootstrapServers) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
    }

    /** Formats {@code directory} as a new single-node cluster and starts it. */
    static KafkaNode start(Path directory) throws Exception {
        // A fatal error inside the server would otherwise halt the test JVM.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Kafka asked to exit (" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Kafka asked to halt (" + code + "): " + message);
        });
        int brokerPort = freePort();
        int controllerPort = freePort();
        String logDirectory = directory.resolve("log").toString();

        Map<String, String> settings = new HashMap<>(); // as a server.properties file would hold them
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", "1");
        settings.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        settings.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("log.dirs", logDirectory);
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        KafkaConfig config = new KafkaConfig(settings, false);

        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(logDirectory))
                .setMetadataLogDirectory(logDirectory)
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.latestProduction())
                .run();

        KafkaNode node = new KafkaNode(config, "127.0.0.1:" + brokerPort);
        node.start();
        return node;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** Starts the server on its ports and data; returns once its broker serves clients. */
    void start() throws Exception {
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        try (Admin admin = admin()) {
            // the broker answers only once it is registered with its controller and unfenced
            admin.describeCluster().nodes().get();
        }
    }

    /** Stops the server and waits until it is down: its ports are closed. */
    void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
