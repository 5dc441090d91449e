package dev.parapet.server;

import dev.parapet.config.ParapetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parapet demo}: a ready-to-try gateway in front of the local PostgreSQL. Creates and seeds
 * the demo databases, writes a configuration, certificate and keys under the state directory
 * (reused on the next start), runs the gateway in the foreground and prints what to try.
 */
@Command(name = "demo", description = "Start a ready-to-try gateway in front of the local PostgreSQL.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--state-dir", description = "Where the demo keeps its configuration, keys and files (default: ${DEFAULT-VALUE}).",
            defaultValue = ".parapet/demo")
    Path stateDir;

    @Option(names = "--postgres", description = "The local PostgreSQL, as host:port (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:5432")
    String postgres;

    @Option(names = "--postgres-user", description = "A PostgreSQL superuser the demo seeds with and connects as (default: ${DEFAULT-VALUE}).",
            defaultValue = "postgres")
    String postgresUser;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(stateDir);
        Path state = stateDir.toAbsolutePath().normalize();
        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://" + postgres + "/postgres", postgresUser, "")) {
            DemoData.ensureDatabase(admin, "parapet_prod");
            DemoData.ensureDatabase(admin, "parapet_staging");
        } catch (SQLException e) {
            System.err.println("""
                    The demo needs a PostgreSQL server at %s that lets user '%s' in without a password, and none answered:
                      %s
                    Start one, for example on Debian or Ubuntu:
                      sudo pg_ctlcluster $(ls /etc/postgresql) main start
                    or with Docker:
                      docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16
                    then run the demo again (use --postgres HOST:PORT for another server).""".formatted(postgres, postgresUser, e.getMessage()));
            return Main.FAILED;
        }
        for (String db : new String[] {"parapet_prod", "parapet_staging"}) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + postgres + "/" + db, postgresUser, "")) {
                DemoData.seed(c);
            }
        }
        Path cert = state.resolve("tls-cert.pem");
        Path key = state.resolve("tls-key.pem");
        if (!Files.exists(cert) || !Files.exists(key)) {
            DevCertificate.generate().write(cert, key);
        }
        Path configFile = state.resolve("parapet.yaml");
        Files.writeString(configFile, configYaml());
        ParapetConfig config = Main.loadOrReport(configFile);
        if (config == null) {
            return Main.INVALID;
        }
        System.out.println(instructions(configFile, DevCertificate.fingerprintOf(cert)));
        return Main.runUntilSignalled(config);
    }

    private String configYaml() {
        String host = postgres.substring(0, postgres.lastIndexOf(':'));
        String port = postgres.substring(postgres.lastIndexOf(':') + 1);
        return """
                # Written by `parapet demo`; rewritten at every demo start.
                instance: parapet-demo
                listeners:
                  postgres: {host: 127.0.0.1, port: 6432}
                  admin: {host: 127.0.0.1, port: 9090}
                tls:
                  cert: tls-cert.pem
                  key: tls-key.pem
                dev-users:
                  enabled: true
                  users:
                    - {name: alice, password: alice-demo, groups: [analysts], email: alice@example.com}
                    - {name: bob, password: bob-demo, groups: [dba], email: bob@example.com}
                    - {name: carol, password: carol-demo, groups: [pii-readers], email: carol@example.com}
                    - {name: etl-agent, password: etl-agent-demo, groups: [agents]}
                targets:
                  - name: prod
                    environment: prod
                    upstream: {host: %1$s, port: %2$s, database: parapet_prod, user: %3$s}
                  - name: staging
                    environment: staging
                    upstream: {host: %1$s, port: %2$s, database: parapet_staging, user: %3$s}
                shutdown:
                  grace: 10s
                """.formatted(host, port, postgresUser);
    }

    private static String instructions(Path configFile, String fingerprint) {
        return """

                Parapet demo is starting.
                  configuration   %s
                  TLS certificate SHA-256 %s

                Try it (psql uses TLS on its own; the password is the user's demo password):
                  PGPASSWORD=alice-demo psql "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require"
                  PGPASSWORD=bob-demo   psql "host=127.0.0.1 port=6432 dbname=staging user=bob sslmode=require" -c '\\dt'
                  PGPASSWORD=alice-demo psql "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require" \\
                      -c 'select full_name, email, phone from customers limit 5'
                  curl -s http://127.0.0.1:9090/metrics | grep ^parapet_

                What gets refused:
                  PGPASSWORD=wrong psql "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require"      # bad password
                  PGPASSWORD=alice-demo psql "host=127.0.0.1 port=6432 dbname=nope user=alice sslmode=require" # unknown target
                  PGPASSWORD=alice-demo psql "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=disable" # no TLS

                Stop with Ctrl-C: open sessions get up to 10s to finish.
                """.formatted(configFile, fingerprint);
    }
}
