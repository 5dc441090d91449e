package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stopping the gateway: it stops accepting and reports not-ready at once, ends idle sessions
 * right away with 57P01, lets a session in a transaction finish it, and closes what is still busy
 * when the grace period is over. And the same for the real process: {@code bin/parapet serve}
 * receiving SIGTERM drains and exits 0.
 */
class ShutdownIT {

    /** Long enough that a loaded machine does not turn "finishes within the grace" into a race. */
    static final Duration GRACE = Duration.ofSeconds(10);

    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void table() throws Exception {
        GatewayFixture.prepareDatabase();
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement()) {
            st.execute("drop table if exists shutdown_it");
            st.execute("create table shutdown_it (id int primary key, session text)");
        }
    }

    @AfterAll
    static void noLeaks() throws Exception {
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement()) {
            // A failed test may leave database sessions behind (a running pg_sleep outlives its client).
            st.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                    + " where application_name ~ '^parapet:alice:(drain|grace|serve)-'");
            st.execute("set lock_timeout = '10s'");
            st.execute("drop table if exists shutdown_it");
        }
        GatewayFixture.assertNoLeaks();
    }

    /** Runs {@code task} on a thread of its own (the common pool may have a single thread). */
    private static CompletableFuture<Void> inBackground(String name, Callable<?> task) {
        return CompletableFuture.runAsync(() -> {
            try {
                task.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, r -> Thread.ofPlatform().name("shutdown-it-" + name).daemon().start(r));
    }

    /** Stops a gateway that a failed test left running. */
    private static void stopQuietly(GatewayFixture gateway) {
        try {
            gateway.server().stop(Duration.ZERO);
        } catch (Exception e) {
            // already stopped, or stopping failed: nothing more to do here
        }
    }

    private static void closeQuietly(Connection... connections) {
        for (Connection c : connections) {
            try {
                c.close();
            } catch (SQLException e) {
                // closed by the gateway
            }
        }
    }

    private static Connection session(int port, String applicationName) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "alice");
        props.setProperty("password", "alice-pw");
        props.setProperty("sslmode", "disable");
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("assumeMinServerVersion", "9.0");  // application_name in the startup packet
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/it", props);
    }

    /** Upstream sessions of the gateway's caller alice with this application name, as the database sees them. */
    private static long backends(String applicationName) throws SQLException {
        return count("select count(*) from pg_stat_activity where application_name = 'parapet:alice:" + applicationName + "'");
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int readyz(int adminPort) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    private static BooleanSupplier noBackends(String applicationName) {
        return () -> {
            try {
                return backends(applicationName) == 0;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static void assertTerminated(ThrowingCallable use, String message) {
        assertThatThrownBy(use).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).as("SQLSTATE of: %s", e.getMessage()).isEqualTo("57P01");
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void endsIdleSessionsAtOnceAndLetsATransactionFinish() throws Exception {
        GatewayFixture gateway = GatewayFixture.start(GatewayFixture.defaultConfig());
        Connection idle = session(gateway.port(), "drain-idle");
        Connection busy = session(gateway.port(), "drain-busy");
        try {
            execute(idle, "select 1");
            busy.setAutoCommit(false);
            execute(busy, "insert into shutdown_it values (1, 'busy')");
            assertThat(readyz(gateway.adminPort())).isEqualTo(200);

            long start = System.nanoTime();
            CompletableFuture<Void> stopped = inBackground("stop", () -> {
                gateway.server().stop(GRACE);
                return null;
            });
            await("/readyz answers 503", Duration.ofSeconds(3), () -> readyz(gateway.adminPort()) == 503);
            await("the idle session's database session is gone", Duration.ofSeconds(3), noBackends("drain-idle"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("idle session closed at once")
                    .isLessThan(Duration.ofSeconds(3));
            assertThatThrownBy(() -> session(gateway.port(), "drain-late").close()).as("a new connection while draining")
                    .isInstanceOf(SQLException.class).hasRootCauseInstanceOf(ConnectException.class);
            assertTerminated(() -> execute(idle, "select 1"), "the gateway is shutting down");

            assertThat(stopped).as("still draining while a transaction is open").isNotDone();
            assertThat(readyz(gateway.adminPort())).isEqualTo(503);
            execute(busy, "insert into shutdown_it values (2, 'busy')");
            busy.commit();
            stopped.get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("stop returned before the grace was over")
                    .isLessThan(GRACE);
            assertTerminated(() -> execute(busy, "select 1"), "the gateway is shutting down");
            assertThat(count("select count(*) from shutdown_it where id in (1, 2)")).as("committed rows").isEqualTo(2);
            assertThat(backends("drain-busy")).isZero();
        } finally {
            closeQuietly(idle, busy);
            stopQuietly(gateway);
        }
    }

    @Test
    void closesSessionsStillBusyWhenTheGraceIsOver() throws Exception {
        GatewayFixture gateway = GatewayFixture.start(GatewayFixture.defaultConfig());
        Connection inTransaction = session(gateway.port(), "grace-tx");
        Connection running = session(gateway.port(), "grace-running");
        try {
            inTransaction.setAutoCommit(false);
            execute(inTransaction, "insert into shutdown_it values (10, 'never committed')");
            CompletableFuture<Void> sleeping = inBackground("sleep", () -> {
                execute(running, "select pg_sleep(30)");
                return null;
            });
            await("the long statement runs", Duration.ofSeconds(10), () -> {
                try {
                    return count("select count(*) from pg_stat_activity where state = 'active'"
                            + " and application_name = 'parapet:alice:grace-running'") == 1;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });

            long start = System.nanoTime();
            gateway.server().stop(Duration.ofSeconds(1));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("stop waited for the grace").isGreaterThanOrEqualTo(Duration.ofSeconds(1))
                    .isLessThan(Duration.ofSeconds(8));

            assertThatThrownBy(() -> sleeping.get(5, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("57P01");
                        assertThat(e.getMessage()).contains("grace period over");
                    });
            assertTerminated(() -> execute(inTransaction, "select 1"), "grace period over");
            await("the transaction's database session is gone", Duration.ofSeconds(5), noBackends("grace-tx"));
            assertThat(count("select count(*) from shutdown_it where id = 10")).as("uncommitted row").isZero();
        } finally {
            closeQuietly(inTransaction, running);
            stopQuietly(gateway);
        }
    }

    @Test
    void theServeCommandDrainsAndExitsZeroOnSigterm() throws Exception {
        Path jar = Path.of("target", "parapet.jar").toAbsolutePath();
        Path script = Path.of("..", "bin", "parapet").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(jar), () -> jar + " is not built (the package phase builds it before the ITs)");
        assertThat(script).isExecutable();
        GatewayFixture.ProcessConfig serve = GatewayFixture.processConfig("serve", "shutdown: {grace: 20s}\n");
        int port = serve.port();
        int adminPort = serve.adminPort();
        Path dir = serve.dir();
        Path config = serve.file();
        Path log = dir.resolve("parapet.log");
        Process process = new ProcessBuilder(script.toString(), "serve", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await("the gateway process is ready", Duration.ofSeconds(60), () -> {
                assertThat(process.isAlive()).as("process alive; log:\n%s", read(log)).isTrue();
                return readyz(adminPort) == 200;
            });
            Connection idle = session(port, "serve-idle");
            execute(idle, "select 1");

            long start = System.nanoTime();
            process.destroy();  // SIGTERM
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited within the grace; log:\n%s", read(log)).isTrue();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(process.exitValue()).as("exit code; log:\n%s", read(log)).isZero();
            assertThat(took).as("with only an idle session, no need to wait for the grace").isLessThan(Duration.ofSeconds(10));
            assertTerminated(() -> execute(idle, "select 1"), "the gateway is shutting down");
            assertThat(read(log)).contains("gateway stopped");
            idle.close();
        } finally {
            process.destroyForcibly();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

}
