package dev.parapet.server;

import dev.parapet.config.ParapetConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parapet demo}: a ready-to-try gateway in front of the local PostgreSQL. Creates and seeds
 * the demo databases, writes a configuration, certificate and keys under the state directory
 * (reused on the next start), runs the gateway in the foreground and prints what to try.
 */
@Command(name = "demo", description = "Start a ready-to-try gateway in front of the local PostgreSQL.",
        subcommands = {DemoCommand.Token.class})
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

    @Option(names = "--mariadb", description = "The local MariaDB or MySQL, as host:port (default: ${DEFAULT-VALUE});"
            + " 'none' leaves it out.", defaultValue = "127.0.0.1:3306")
    String mariadb;

    @Option(names = "--mariadb-user", description = "A MariaDB/MySQL account with all privileges and no password the demo"
            + " seeds with and connects as (default: ${DEFAULT-VALUE}).", defaultValue = "root")
    String mariadbUser;

    /** Whether the demo also fronts MariaDB (it answered and was seeded). */
    private boolean withMariadb;

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
        withMariadb = seedMariadb();
        Path cert = state.resolve("tls-cert.pem");
        Path key = state.resolve("tls-key.pem");
        if (!Files.exists(cert) || !Files.exists(key)) {
            DevCertificate.generate().write(cert, key);
        }
        Path signingKey = state.resolve("audit-signing.pem");
        Path verifyKey = state.resolve("audit-signing.pub.pem");
        if (!Files.exists(signingKey) || !Files.exists(verifyKey)) {
            Files.deleteIfExists(signingKey);
            Files.deleteIfExists(verifyKey);
            dev.parapet.audit.AuditKeys.generate(signingKey, verifyKey);
        }
        DemoIssuer issuer = DemoIssuer.load(state, DemoIssuer.PORT);
        issuer.start(DemoIssuer.PORT);
        Path configFile = state.resolve("parapet.yaml");
        Files.writeString(configFile, configYaml());
        Path policies = state.resolve("policies");
        writePolicies(policies);
        ParapetConfig config = Main.loadOrReport(configFile);
        if (config == null) {
            return Main.INVALID;
        }
        System.out.println(instructions(configFile, DevCertificate.fingerprintOf(cert), stateDir));
        if (withMariadb) {
            System.out.println(mysqlInstructions(stateDir));
        }
        try (issuer) {
            return Main.runUntilSignalled(config);
        }
    }

    /** Seeds the demo's two databases in MariaDB; false (with a note) when it does not answer. */
    private boolean seedMariadb() {
        if ("none".equals(mariadb)) {
            return false;
        }
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + mariadb + "/?user=" + mariadbUser + "&password=")) {
            DemoData.seedMySql(c, "parapet_prod");
            DemoData.seedMySql(c, "parapet_staging");
            return true;
        } catch (SQLException e) {
            System.err.println("""
                    No MariaDB/MySQL answered at %s as '%s' (%s): the demo runs without its MySQL listener.
                    Start one (on Debian: sudo start-stop-daemon --start --background --exec /usr/sbin/mariadbd)
                    and run the demo again, or pass --mariadb none to leave it out.""".formatted(mariadb, mariadbUser,
                    e.getMessage()));
            return false;
        }
    }

    /** The demo's policy files and their tests, kept as resources in {@link #POLICY_RESOURCES}. */
    static final List<String> POLICY_FILES = List.of("prod.yaml", "prod_test.yaml", "staging.yaml", "staging_test.yaml");

    static final String POLICY_RESOURCES = "/dev/parapet/server/demo/policies/";

    /**
     * Writes the demo's policies and their tests into {@code folder}, replacing earlier copies: the
     * demo starts with its own policy every time, and edits made while it runs show a reload.
     */
    static void writePolicies(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (String name : POLICY_FILES) {
            try (InputStream in = DemoCommand.class.getResourceAsStream(POLICY_RESOURCES + name)) {
                if (in == null) {
                    throw new IOException("the demo policy " + name + " is missing from the build");
                }
                Files.copy(in, folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private String configYaml() {
        return """
                # Written by `parapet demo`; rewritten at every demo start.
                instance: parapet-demo
                listeners:
                  postgres: {host: 127.0.0.1, port: 6432}
                  mysql: {host: 127.0.0.1, port: 6033, enabled: %3$s%4$s}
                  admin: {host: 127.0.0.1, port: 9090}
                tls:
                  cert: tls-cert.pem
                  key: tls-key.pem
                identity:
                  issuers:
                    - name: demo
                      issuer: %1$s
                      audiences: [parapet]
                      algorithms: [ES256]
                      service: {client-ids: [etl-agent]}
                  user-match: require
                  on-token-expiry: end
                access:
                  - id: prod-access
                    description: only the company's people and its ETL agent reach production
                    environments: [prod]
                    groups: [analysts, dba, pii-readers, agents]
                targets:
                %2$s
                policies: policies
                audit:
                  spool-directory: audit-spool
                  sinks:
                    - {type: stdout, format: pretty}
                    - type: file
                      path: audit/audit.jsonl
                      signing-key-file: audit-signing.pem
                      checkpoint-interval: 10s
                shutdown:
                  grace: 10s
                """.formatted(DemoIssuer.issuerUrl(DemoIssuer.PORT),
                targets("", "postgres", postgres, postgresUser)
                        + (withMariadb ? targets("_mysql", "mariadb", mariadb, mariadbUser) : ""),
                withMariadb, withMariadb ? ", default-target: prod_mysql" : "");
    }

    /**
     * The demo's prod and staging targets on one database server ({@code hostPort}), named with
     * {@code suffix}: the same environments, and the same read-only login for analysts, PII
     * readers and the agent, whichever the protocol.
     */
    private static String targets(String suffix, String protocol, String hostPort, String user) {
        String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
        String port = hostPort.substring(hostPort.lastIndexOf(':') + 1);
        return """
                - name: prod%1$s
                  protocol: %2$s
                  environment: prod
                  upstream:
                    host: %3$s
                    port: %4$s
                    database: parapet_prod
                    user: %5$s
                    by-group:
                      - {group: dba}
                      - {group: analysts, user: %6$s, password: %7$s}
                      - {group: pii-readers, user: %6$s, password: %7$s}
                      - {group: agents, user: %6$s, password: %7$s}
                - name: staging%1$s
                  protocol: %2$s
                  environment: staging
                  upstream: {host: %3$s, port: %4$s, database: parapet_staging, user: %5$s}
                """.formatted(suffix, protocol, host, port, user, DemoData.READER, DemoData.READER_PASSWORD)
                .indent(2);
    }

    private static String mysqlInstructions(Path stateDir) {
        String token = stateDir.toString().equals(".parapet/demo") ? "bin/parapet demo token"
                : "bin/parapet demo token --state-dir " + stateDir;
        return """
                MariaDB through the same gateway, identities, policies and masking (targets prod_mysql and
                staging_mysql on 127.0.0.1:6033; the token is the password, over TLS or as a clear-text password):
                  mysql -h 127.0.0.1 -P 6033 -u alice -p"$(%1$s alice)" --ssl prod_mysql \\
                      -e 'select full_name, email, phone from customers limit 3'          # masked
                  mysql -h 127.0.0.1 -P 6033 -u carol -p"$(%1$s carol)" --enable-cleartext-plugin prod_mysql \\
                      -e 'select full_name, email, phone from customers limit 3'          # clear: carol handles PII
                  mysql -h 127.0.0.1 -P 6033 -u bob -p"$(%1$s bob)" --ssl prod_mysql -e 'drop table orders'   # ERROR 1142
                  mysql -h 127.0.0.1 -P 6033 -u etl-agent -p"$(%1$s etl-agent)" --ssl prod_mysql \\
                      -e 'select * from payment_cards'                                   # ERROR 1142: agents never read cards
                  mysqldump -h 127.0.0.1 -P 6033 -u bob -p"$(%1$s bob)" --ssl prod_mysql > /tmp/prod.sql
                (MySQL 8 clients: --ssl-mode=REQUIRED instead of --ssl; the MariaDB client on Debian checks no
                certificate by default: add --ssl-ca=%2$s to check the gateway's.)
                """.formatted(token, stateDir.resolve("tls-cert.pem"));
    }

    private static String instructions(Path configFile, String fingerprint, Path stateDir) {
        String token = stateDir.toString().equals(".parapet/demo") ? "bin/parapet demo token"
                : "bin/parapet demo token --state-dir " + stateDir;
        return """

                Parapet demo is starting.
                  configuration   %1$s
                  TLS certificate SHA-256 %2$s
                  token issuer    %3$s (built in, for the demo only)

                Log in with an OIDC token as the password (alice: analyst, bob: dba, carol: pii-reader,
                etl-agent: a service identity); psql uses TLS on its own:
                  PGPASSWORD=$(%4$s alice) psql "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require"
                  PGPASSWORD=$(%4$s bob) psql "host=127.0.0.1 port=6432 dbname=prod user=bob sslmode=require" -c '\\dt'
                  PGPASSWORD=$(%4$s etl-agent) psql "host=127.0.0.1 port=6432 dbname=prod user=etl-agent sslmode=require" \\
                      -c 'select current_user, full_name, email from customers limit 3'
                  curl -s http://127.0.0.1:9090/metrics | grep ^parapet_

                In the database, the session names the person: select application_name from pg_stat_activity;
                analysts and the agent reach it as the read-only login parapet_demo_reader, bob as the service user.

                Guardrails (policies in %5$s, reloaded when you edit them):
                  PGPASSWORD=$(%4$s bob) psql "host=127.0.0.1 port=6432 dbname=prod user=bob sslmode=require" -c 'drop table orders'
                  PGPASSWORD=$(%4$s bob) psql "host=127.0.0.1 port=6432 dbname=prod user=bob sslmode=require" -c 'delete from orders where 1=1'
                  PGPASSWORD=$(%4$s etl-agent) psql "host=127.0.0.1 port=6432 dbname=prod user=etl-agent sslmode=require" \\
                      -c 'select c.email, p.card_number from customers c join payment_cards p on p.customer_id = c.id'
                  PGPASSWORD=$(%4$s etl-agent) psql "host=127.0.0.1 port=6432 dbname=prod user=etl-agent sslmode=require" \\
                      -c 'select g from generate_series(1, 5000) g' | tail -2      # 1,000 rows, then a NOTICE
                The policies come with test cases (prod_test.yaml, staging_test.yaml); change a rule and run them:
                  bin/parapet policy test %5$s

                Masking (personal data in prod: alice sees it masked, carol clear, the agent as pseudonyms that join):
                  PGPASSWORD=$(%4$s alice) psql "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require" \\
                      -c 'select full_name, email, phone, date_of_birth from customers limit 3'
                  PGPASSWORD=$(%4$s carol) psql "host=127.0.0.1 port=6432 dbname=prod user=carol sslmode=require" \\
                      -c 'select full_name, email, phone, date_of_birth from customers limit 3'
                  PGPASSWORD=$(%4$s etl-agent) psql "host=127.0.0.1 port=6432 dbname=prod user=etl-agent sslmode=require" \\
                      -c 'select email, count(*) from customers c join orders o on o.customer_id = c.id group by email limit 3'
                  PGPASSWORD=$(%4$s alice) psql "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require" \\
                      -c 'select row_to_json(c) from customers c limit 1'          # rewritten queries stay masked

                What gets refused at login:
                  PGPASSWORD=not-a-token psql "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require"          # 28P01
                  PGPASSWORD=$(%4$s bob) psql "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require"    # token is bob's
                  PGPASSWORD=$(%4$s alice) psql "host=127.0.0.1 port=6432 dbname=nope user=alice sslmode=require"  # 3D000
                  PGPASSWORD=$(%4$s alice) psql "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=disable"  # TLS only

                Approvals (schema changes in prod wait for a change approver; carol is one):
                  PGPASSWORD=$(%4$s bob) psql "host=127.0.0.1 port=6432 dbname=prod user=bob sslmode=require" \\
                      -c 'alter table orders add column note text'        # waits, with a NOTICE naming the request
                  bin/parapet approvals list --as carol%8$s
                  bin/parapet approvals approve ID --as carol%8$s            # bob's statement runs
                  (or: bin/parapet approvals reject ID --as carol --reason '...'; or POST /api/approvals/ID/approve)

                Audit trail: every login, statement and disconnect is printed below and written, hash-chained
                with signed checkpoints, to %6$s. Check that nothing in it was changed:
                  bin/parapet audit verify %6$s --public-key %7$s
                (prod is fail-closed: were the audit file not writable, prod would refuse statements.)

                Stop with Ctrl-C: open sessions get up to 10s to finish.
                """.formatted(configFile, fingerprint, DemoIssuer.issuerUrl(DemoIssuer.PORT), token,
                        configFile.getParent().resolve("policies"), stateDir.resolve("audit").resolve("audit.jsonl"),
                        stateDir.resolve("audit-signing.pub.pem"),
                        stateDir.toString().equals(".parapet/demo") ? "" : " --state-dir " + stateDir);
    }

    /** {@code parapet demo token NAME}: prints a fresh token for one of the demo's identities. */
    @Command(name = "token", description = "Print a fresh token for a demo identity: alice, bob, carol or etl-agent.")
    static final class Token implements Callable<Integer> {

        @picocli.CommandLine.Parameters(paramLabel = "NAME", description = "alice, bob, carol or etl-agent")
        String name;

        @Option(names = "--state-dir", description = "The demo's state directory (default: ${DEFAULT-VALUE}).",
                defaultValue = ".parapet/demo")
        Path stateDir;

        @Option(names = "--lifetime", description = "How long the token is valid, in minutes (default: ${DEFAULT-VALUE}).",
                defaultValue = "60")
        long minutes;

        @Override
        public Integer call() throws Exception {
            if (!DemoIssuer.PEOPLE.containsKey(name)) {
                System.err.println("unknown demo identity '" + name + "': use alice, bob, carol or etl-agent");
                return Main.INVALID;
            }
            Files.createDirectories(stateDir);
            DemoIssuer issuer = DemoIssuer.load(stateDir.toAbsolutePath().normalize(), DemoIssuer.PORT);
            System.out.println(issuer.token(name, java.time.Duration.ofMinutes(minutes)));
            return 0;
        }
    }
}
