package dev.parapet.audit;

import dev.parapet.config.AuditSinkConfig;
import dev.parapet.config.Secret;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * Events as rows of a database table ({@link AuditTable}), so they can be asked about in SQL.
 * Owns one connection, opened on the first write and opened again after any failed one; each
 * batch is one transaction of one batched insert that skips ids already stored, so a batch the
 * pipeline hands over again after a lost commit acknowledgement is stored once.
 *
 * <p>Every exchange with the database waits at most {@code timeout}: a database that hangs makes
 * {@link #write} throw instead of holding up the pipeline.
 */
final class JdbcSink implements AuditSink {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Runs what a driver does when a network timeout strikes (some abort the socket there). */
    private static final Executor ABORTER = task -> Thread.ofVirtual().name("parapet-audit-jdbc-abort").start(task);

    private final String name;
    private final String url;
    private final Properties properties;
    private final AuditTable table;
    private final boolean createTable;
    private final Duration timeout;
    private final String instance;

    private Connection connection;
    private boolean tableReady;

    JdbcSink(String name, String url, Properties properties, AuditTable table, boolean createTable, Duration timeout,
            String instance) {
        this.name = name;
        this.url = url;
        this.properties = properties;
        this.table = table;
        this.createTable = createTable;
        this.timeout = timeout;
        this.instance = instance;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void write(List<AuditEvent> batch) throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        try {
            Connection c = connection();
            try (PreparedStatement insert = c.prepareStatement(table.insert())) {
                for (AuditEvent event : batch) {
                    table.bind(insert, event, instance);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            // After a failure the connection's state is unknown (a half-sent batch, a socket that
            // timed out, a backend that was terminated): the next write starts on a new one, which
            // costs a handshake, little next to the pipeline's wait before trying again.
            discardConnection();
            throw new SQLException("audit sink " + name + ": could not store " + (batch.size() == 1 ? "1 event" : batch.size() + " events")
                    + " in " + table.name() + ": " + describe(e), e instanceof SQLException sql ? sql.getSQLState() : null, e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection fresh = DriverManager.getConnection(url, properties);
            try {
                fresh.setNetworkTimeout(ABORTER, Math.toIntExact(timeout.toMillis()));
                fresh.setAutoCommit(false);
                if (createTable && !tableReady) {
                    try (Statement ddl = fresh.createStatement()) {
                        for (String statement : table.definition()) {
                            ddl.execute(statement);
                        }
                    }
                    fresh.commit();
                    tableReady = true;
                }
            } catch (SQLException | RuntimeException e) {
                closeQuietly(fresh);
                throw e;
            }
            connection = fresh;
        }
        return connection;
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        if (e instanceof java.sql.BatchUpdateException batch && batch.getNextException() != null) {
            // pgJDBC puts the server's reason for a failed batch in the next exception.
            message = batch.getNextException().getMessage();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private void discardConnection() {
        if (connection != null) {
            closeQuietly(connection);
            connection = null;
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // the connection is being given up; there is nothing left to do with it
        }
    }

    @Override
    public void close() {
        discardConnection();
    }

    /** Makes jdbc sinks. */
    public static final class Provider implements AuditSinkProvider {
        @Override
        public String type() {
            return "jdbc";
        }

        @Override
        public AuditSink create(AuditSinkConfig config, AuditContext context) {
            String url = config.required("url");
            if (!url.startsWith("jdbc:")) {
                throw new IllegalArgumentException("audit sink " + config.name() + ": url must be a JDBC url (jdbc:postgresql://host:port/database)");
            }
            AuditTable table;
            try {
                table = AuditTable.named(config.string("table").orElse("parapet_audit"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("audit sink " + config.name() + ": table: " + e.getMessage(), e);
            }
            Duration timeout = timeout(config);
            Properties properties = new Properties();
            config.string("user").ifPresent(user -> properties.setProperty("user", user));
            config.secret("password").map(Secret::reveal).ifPresent(password -> properties.setProperty("password", password));
            if (url.startsWith("jdbc:postgresql:")) {
                // pgJDBC counts these in seconds; parameters written in the url take precedence.
                String seconds = Long.toString(Math.max(1, (timeout.toMillis() + 999) / 1000));
                properties.setProperty("connectTimeout", seconds);
                properties.setProperty("loginTimeout", seconds);
                properties.setProperty("socketTimeout", seconds);
                properties.setProperty("ApplicationName", "parapet audit " + config.name());
                properties.setProperty("reWriteBatchedInserts", "true");
            }
            return new JdbcSink(config.name(), url, properties, table, config.bool("create-table", true), timeout,
                    context.instance());
        }

        private static Duration timeout(AuditSinkConfig config) {
            Duration timeout;
            try {
                timeout = config.duration("timeout", DEFAULT_TIMEOUT);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("audit sink " + config.name() + ": timeout: " + e.getMessage(), e);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("audit sink " + config.name() + ": timeout must be more than zero");
            }
            return timeout;
        }
    }
}
