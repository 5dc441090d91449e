package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.config.ConfigLoader;
import dev.parapet.config.ParapetConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The one gateway the integration tests share: started in this JVM on free ports, in front of the
 * machine's real PostgreSQL (127.0.0.1:5432 unless PARAPET_IT_PG_HOST / PARAPET_IT_PG_PORT say
 * otherwise), with the demo's data in database {@code parapet_it} and development users. Tests
 * drive it with real clients: pgJDBC in process, psql / pgbench / pg_dump as processes.
 */
public final class GatewayFixture {

    public static final String PG_HOST = System.getenv().getOrDefault("PARAPET_IT_PG_HOST", "127.0.0.1");
    public static final int PG_PORT = Integer.parseInt(System.getenv().getOrDefault("PARAPET_IT_PG_PORT", "5432"));
    public static final String PG_SUPERUSER = System.getenv().getOrDefault("PARAPET_IT_PG_USER", "postgres");
    public static final String DATABASE = "parapet_it";

    private static GatewayFixture shared;

    private final GatewayServer server;
    private final ParapetConfig config;

    private GatewayFixture(String yaml) throws Exception {
        this.config = new ConfigLoader().parse(yaml, "it.yaml", null);
        this.server = new GatewayServer(config);
        server.start();
    }

    /** The shared gateway (started on first use, stopped when the test JVM exits). */
    public static synchronized GatewayFixture shared() throws Exception {
        if (shared == null) {
            prepareDatabase();
            shared = new GatewayFixture(defaultConfig());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> shared.stopQuietly()));
        }
        return shared;
    }

    /** A gateway of its own, for tests that need other settings; the caller stops it. */
    public static GatewayFixture start(String yaml) throws Exception {
        prepareDatabase();
        return new GatewayFixture(yaml);
    }

    public static String defaultConfig() {
        return """
                listeners:
                  postgres: {host: 127.0.0.1, port: 0}
                  admin: {host: 127.0.0.1, port: 0}
                tls: {self-signed: true}
                client-auth: {allow-cleartext-on-loopback: true}
                dev-users:
                  enabled: true
                  users:
                    - {name: alice, password: alice-pw, groups: [analysts]}
                    - {name: bob, password: bob-pw, groups: [dba]}
                targets:
                  - name: it
                    environment: test
                    upstream: {host: %1$s, port: %2$d, database: %3$s, user: %4$s}
                  - name: down
                    upstream: {host: 127.0.0.1, port: 1, database: x, user: x, connect-timeout: 2s}
                limits:
                  max-message-size: 1MiB
                  startup-timeout: 3s
                shutdown: {grace: 2s}
                """.formatted(PG_HOST, PG_PORT, DATABASE, PG_SUPERUSER);
    }

    /**
     * The default configuration with more targets, each given as one YAML list item in flow
     * style, e.g. {@code "- {name: x, upstream: {port: 5432, database: x, user: x}}"}.
     */
    public static String defaultConfigWithTargets(String... targets) {
        StringBuilder more = new StringBuilder();
        for (String target : targets) {
            more.append("  ").append(target).append('\n');
        }
        return defaultConfig().replace("limits:\n", more + "limits:\n");
    }

    /** Creates and seeds the test database (idempotent). */
    public static synchronized void prepareDatabase() throws SQLException {
        try (Connection admin = direct("postgres")) {
            DemoData.ensureDatabase(admin, DATABASE);
        }
        try (Connection c = direct(DATABASE)) {
            DemoData.seed(c);
        }
    }

    /** A direct connection to the real PostgreSQL, bypassing the gateway. */
    public static Connection direct(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database, PG_SUPERUSER, "");
    }

    public int port() {
        return server.postgresAddress().getPort();
    }

    public int adminPort() {
        return server.adminPort();
    }

    public GatewayServer server() {
        return server;
    }

    public ParapetConfig config() {
        return config;
    }

    public String jdbcUrl(String target) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + target;
    }

    /** A pgJDBC connection through the gateway, as a development user. */
    public Connection connect(String target, String user, String password, Map<String, String> extra) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("sslmode", "disable");
        extra.forEach(props::setProperty);
        return DriverManager.getConnection(jdbcUrl(target), props);
    }

    public Connection connect(String target) throws SQLException {
        return connect(target, "alice", "alice-pw", Map.of());
    }

    /** The libpq connection string for command-line clients. */
    public String conninfo(String target, String user, String sslmode) {
        return "host=127.0.0.1 port=" + port() + " dbname=" + target + " user=" + user + " sslmode=" + sslmode;
    }

    /** Runs a command-line client to completion (bounded), returning its exit code and output. */
    public static Result run(Map<String, String> env, Path workDir, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Process process = pb.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + Arrays.toString(command));
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs psql through the gateway as {@code user}; extra arguments follow the connection string. */
    public Result psql(String target, String user, String password, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("psql", "-X", "-v", "ON_ERROR_STOP=1", conninfo(target, user, "disable")));
        cmd.addAll(List.of(args));
        return run(Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "10"), null, cmd.toArray(String[]::new));
    }

    public record Result(int exitCode, String output) {
        public Result assertSuccess() {
            assertThat(exitCode).as("exit code; output:\n%s", output).isZero();
            return this;
        }
    }

    /** Fails when Netty reported a buffer leak in this JVM. */
    public static void assertNoLeaks() {
        assertThat(LeakRecorder.leaks()).as("Netty buffer leaks").isEmpty();
    }

    public void stop() throws InterruptedException {
        server.stop(Duration.ofSeconds(2));
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A configuration for a gateway run as a process of its own: free ports, user alice, target it. */
    public record ProcessConfig(Path dir, Path file, int port, int adminPort) {
    }

    /** Writes such a configuration into a new temporary folder; {@code extraYaml} is appended. */
    public static ProcessConfig processConfig(String name, String extraYaml) throws IOException {
        int port = freePort();
        int adminPort = freePort();
        Path dir = tempDir(name);
        Path file = dir.resolve("parapet.yaml");
        Files.writeString(file, """
                listeners:
                  postgres: {host: 127.0.0.1, port: %d}
                  admin: {host: 127.0.0.1, port: %d}
                client-auth: {allow-cleartext-on-loopback: true}
                dev-users:
                  enabled: true
                  users: [{name: alice, password: alice-pw}]
                targets:
                  - name: it
                    upstream: {host: %s, port: %d, database: %s, user: %s}
                """.formatted(port, adminPort, PG_HOST, PG_PORT, DATABASE, PG_SUPERUSER) + extraYaml);
        return new ProcessConfig(dir, file, port, adminPort);
    }

    public static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public static Path tempDir(String prefix) throws IOException {
        return Files.createTempDirectory(prefix);
    }
}
