package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, as a user runs it: {@code bin/parapet demo} starts, seeds the local
 * PostgreSQL, and the psql commands it prints work; started again on the same state directory it
 * reuses its certificate and leaves the same data; SIGTERM stops it cleanly.
 */
class DemoIT {

    private static final Pattern FINGERPRINT = Pattern.compile("SHA-256 ([0-9A-F:]{95})");

    @Test
    void demoStartsSeedsAndServesThePrintedCommands() throws Exception {
        Path state = GatewayFixture.tempDir("demo-state");
        String first = runDemoAndTry(state);
        String second = runDemoAndTry(state);
        Matcher a = FINGERPRINT.matcher(first);
        Matcher b = FINGERPRINT.matcher(second);
        assertThat(a.find()).as("fingerprint printed; output:\n%s", first).isTrue();
        assertThat(b.find()).isTrue();
        assertThat(b.group(1)).as("certificate kept in the state directory").isEqualTo(a.group(1));
        assertThat(state.resolve("parapet.yaml")).exists();
        assertThat(state.resolve("tls-key.pem")).exists();
        // the audit trail of both runs: one chain across the restart, intact, and it names who did what
        Path trail = state.resolve("audit").resolve("audit.jsonl");
        assertThat(first).contains("bin/parapet audit verify " + trail);
        Path bin = Path.of("..", "bin", "parapet").toAbsolutePath().normalize();
        var verify = GatewayFixture.run(Map.of(), null, bin.toString(), "audit", "verify", trail.toString(),
                "--public-key", state.resolve("audit-signing.pub.pem").toString());
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        String events = Files.readString(trail);
        assertThat(events).contains("\"user.id\":\"alice\"", "\"user.id\":\"etl-agent\"", "\"parapet.decision\":\"denied\"",
                "\"parapet.rule\":\"no-drop-in-prod\"", "\"parapet.masking.rule\":\"mask-personal-data\"", "parapet.disconnect");
        assertThat(first).as("the demo prints events as they happen").contains("\"event.name\" : \"parapet.statement\"");
        try (Connection c = GatewayFixture.direct("parapet_prod");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from customers")) {
            rs.next();
            assertThat(rs.getInt(1)).as("re-seeding leaves the same rows").isEqualTo(DemoData.CUSTOMERS);
        }
    }

    private static String runDemoAndTry(Path state) throws Exception {
        Path bin = Path.of("..", "bin", "parapet").toAbsolutePath().normalize();
        Path output = state.resolve("demo-output.log");
        Process demo = new ProcessBuilder(bin.toString(), "demo", "--state-dir", state.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            waitFor(output, "postgres listener on", demo);
            String printed = Files.readString(output);
            assertThat(printed).contains("psql \"host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require\"")
                    .contains("bin/parapet demo token --state-dir " + state + " alice");
            String alice = token(bin, state, "alice");
            var ok = GatewayFixture.run(Map.of("PGPASSWORD", alice), null, "psql", "-X", "-At",
                    "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require",
                    "-c", "select count(*) from customers", "-c", "select ssl from pg_stat_ssl where pid = pg_backend_pid()",
                    "-c", "show application_name", "-c", "select current_user",
                    "-c", "reset role", "-c", "select 'after reset: ' || current_user").assertSuccess();
            assertThat(ok.output()).contains(String.valueOf(DemoData.CUSTOMERS)).contains("parapet:")
                    .as("even the session's name is masked for an analyst").doesNotContain("alice@example.com")
                    .contains(DemoData.READER).contains("after reset: " + DemoData.READER);
            String clearEmail;
            try (var direct = GatewayFixture.direct("parapet_prod");
                 var rs = direct.createStatement().executeQuery("select email from customers where id = 1")) {
                rs.next();
                clearEmail = rs.getString(1);
            }
            String emailSql = "select email from customers where id = 1";
            var masked = GatewayFixture.run(Map.of("PGPASSWORD", alice), null, "psql", "-X", "-At",
                    "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require", "-c", emailSql).assertSuccess();
            assertThat(masked.output()).as("alice sees it masked").doesNotContain(clearEmail).contains("@");
            var clear = GatewayFixture.run(Map.of("PGPASSWORD", token(bin, state, "carol")), null, "psql", "-X", "-At",
                    "host=127.0.0.1 port=6432 dbname=prod user=carol sslmode=require", "-c", emailSql).assertSuccess();
            assertThat(clear.output()).as("carol reads personal data").contains(clearEmail);
            String agentToken = token(bin, state, "etl-agent");
            var hashed = GatewayFixture.run(Map.of("PGPASSWORD", agentToken), null, "psql", "-X", "-At",
                    "host=127.0.0.1 port=6432 dbname=prod user=etl-agent sslmode=require", "-c", emailSql,
                    "-c", emailSql).assertSuccess();
            String[] pseudonyms = hashed.output().trim().split("\\R");
            assertThat(pseudonyms).hasSize(2);
            assertThat(pseudonyms[0]).as("the agent sees a pseudonym that stays the same").isEqualTo(pseudonyms[1])
                    .isNotEqualTo(clearEmail);
            var write = GatewayFixture.run(Map.of("PGPASSWORD", alice), null, "psql", "-X",
                    "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require",
                    "-c", "update customers set city = 'x' where id = 1");
            assertThat(write.output()).as("an analyst cannot write").contains("denied by rule \"readers-read-only\"");
            var drop = GatewayFixture.run(Map.of("PGPASSWORD", token(bin, state, "bob")), null, "psql", "-X",
                    "host=127.0.0.1 port=6432 dbname=prod user=bob sslmode=require", "-c", "drop table orders");
            assertThat(drop.output()).contains("denied by rule \"no-drop-in-prod\"");
            var cards = GatewayFixture.run(Map.of("PGPASSWORD", token(bin, state, "etl-agent")), null, "psql", "-X",
                    "host=127.0.0.1 port=6432 dbname=prod user=etl-agent sslmode=require",
                    "-c", "select c.email, p.card_number from customers c join payment_cards p on p.customer_id = c.id");
            assertThat(cards.output()).contains("denied by rule \"agent-no-cards\"");
            var many = GatewayFixture.run(Map.of("PGPASSWORD", token(bin, state, "etl-agent")), null, "psql", "-X",
                    "host=127.0.0.1 port=6432 dbname=prod user=etl-agent sslmode=require",
                    "-c", "select g from generate_series(1, 5000) g");
            assertThat(many.output()).as("the agent's rows are capped").contains("(1000 rows)")
                    .contains("rule \"agent-1000-rows\" limits results to 1000 rows");
            var dropDatabase = GatewayFixture.run(Map.of("PGPASSWORD", token(bin, state, "bob")), null, "psql", "-X",
                    "host=127.0.0.1 port=6432 dbname=staging user=bob sslmode=require", "-c", "drop database parapet_staging");
            assertThat(dropDatabase.output()).contains("denied by rule \"no-drop-database-in-staging\"");
            var escalate = GatewayFixture.run(Map.of("PGPASSWORD", alice), null, "psql", "-X",
                    "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require", "-c", "set role postgres");
            assertThat(escalate.output()).contains("denied by rule \"readers-read-only\"");
            var bob = GatewayFixture.run(Map.of("PGPASSWORD", token(bin, state, "bob")), null, "psql", "-X", "-At",
                    "host=127.0.0.1 port=6432 dbname=prod user=bob sslmode=require", "-c", "select current_user").assertSuccess();
            assertThat(bob.output().trim()).isEqualTo(GatewayFixture.PG_SUPERUSER);
            // the same identities, policies and masking on the MariaDB side, with the printed mysql commands
            waitFor(output, "mysql listener on", demo);
            assertThat(Files.readString(output)).contains("mysql -h 127.0.0.1 -P 6033 -u alice")
                    .contains("--enable-cleartext-plugin");
            String clearMyEmail;
            try (var direct = java.sql.DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/parapet_prod?user=root");
                 var rs = direct.createStatement().executeQuery("select email from customers where id = 1")) {
                rs.next();
                clearMyEmail = rs.getString(1);
            }
            var myMasked = GatewayFixture.run(Map.of(), null, "mysql", "-h", "127.0.0.1", "-P", "6033", "-u", "alice",
                    "-p" + alice, "--ssl", "-N", "prod_mysql", "-e", emailSql).assertSuccess();
            assertThat(myMasked.output()).as("alice sees it masked over MySQL too").doesNotContain(clearMyEmail).contains("@");
            var myClear = GatewayFixture.run(Map.of(), null, "mysql", "-h", "127.0.0.1", "-P", "6033", "-u", "carol",
                    "-p" + token(bin, state, "carol"), "--enable-cleartext-plugin", "-N", "prod_mysql", "-e", emailSql)
                    .assertSuccess();
            assertThat(myClear.output()).as("carol reads it clear").contains(clearMyEmail);
            var myDrop = GatewayFixture.run(Map.of(), null, "mysql", "-h", "127.0.0.1", "-P", "6033", "-u", "bob",
                    "-p" + token(bin, state, "bob"), "--ssl", "prod_mysql", "-e", "drop table orders");
            assertThat(myDrop.output()).contains("ERROR 1142").contains("denied by rule \"no-drop-in-prod\"");
            var myCards = GatewayFixture.run(Map.of(), null, "mysql", "-h", "127.0.0.1", "-P", "6033", "-u", "etl-agent",
                    "-p" + agentToken, "--ssl", "prod_mysql", "-e", "select * from payment_cards");
            assertThat(myCards.output()).contains("ERROR 1142").contains("agent-no-cards");
            var dump = GatewayFixture.run(Map.of(), null, "mysqldump", "-h", "127.0.0.1", "-P", "6033", "-u", "bob",
                    "-p" + token(bin, state, "bob"), "--ssl", "prod_mysql").assertSuccess();
            assertThat(dump.output()).as("mysqldump through the gateway, as printed").contains("CREATE TABLE `customers`")
                    .contains("INSERT INTO `orders`").contains(clearMyEmail);
            var analystDump = GatewayFixture.run(Map.of(), null, "mysqldump", "-h", "127.0.0.1", "-P", "6033", "-u", "alice",
                    "-p" + alice, "--ssl", "--skip-lock-tables", "prod_mysql", "customers").assertSuccess();
            assertThat(analystDump.output()).as("an analyst's dump is masked").contains("INSERT INTO `customers`")
                    .doesNotContain(clearMyEmail).contains("****@example.com");
            // bob's schema change waits for carol, who approves it with the printed command
            String bobToken = token(bin, state, "bob");
            java.util.concurrent.CompletableFuture<GatewayFixture.Result> change = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return GatewayFixture.run(Map.of("PGPASSWORD", bobToken), null, "psql", "-X",
                            "host=127.0.0.1 port=6432 dbname=prod user=bob sslmode=require",
                            "-c", "alter table orders add column if not exists demo_note text");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            String requestId = null;
            for (int i = 0; i < 150 && requestId == null; i++) {
                var listed = GatewayFixture.run(Map.of(), null, bin.toString(), "approvals", "list", "--as", "carol",
                        "--state-dir", state.toString());
                var m = java.util.regex.Pattern.compile("^([0-9a-f]{8})  pending", java.util.regex.Pattern.MULTILINE)
                        .matcher(listed.output());
                if (m.find()) {
                    requestId = m.group(1);
                } else {
                    Thread.sleep(100);
                }
            }
            assertThat(requestId).as("bob's change is listed for carol").isNotNull();
            assertThat(change).as("bob waits").isNotDone();
            var approved = GatewayFixture.run(Map.of(), null, bin.toString(), "approvals", "approve", requestId, "--as", "carol",
                    "--state-dir", state.toString());
            assertThat(approved.exitCode()).as(approved.output()).isZero();
            var changed = change.get(30, TimeUnit.SECONDS);
            assertThat(changed.exitCode()).as(changed.output()).isZero();
            assertThat(changed.output()).contains("requires approval", requestId, "ALTER TABLE");
            var mismatch = GatewayFixture.run(Map.of("PGPASSWORD", token(bin, state, "bob")), null, "psql", "-X",
                    "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=require", "-c", "select 1");
            assertThat(mismatch.output()).contains("does not match the token's user");
            var plain = GatewayFixture.run(Map.of("PGPASSWORD", alice), null, "psql", "-X",
                    "host=127.0.0.1 port=6432 dbname=prod user=alice sslmode=disable", "-c", "select 1");
            assertThat(plain.exitCode()).isNotZero();
            assertThat(plain.output()).contains("requires an encrypted connection");
            var unknown = GatewayFixture.run(Map.of("PGPASSWORD", alice), null, "psql", "-X",
                    "host=127.0.0.1 port=6432 dbname=nope user=alice sslmode=require", "-c", "select 1");
            assertThat(unknown.output()).contains("target \"nope\" does not exist");
            demo.destroy();
            assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as("demo stops on SIGTERM").isTrue();
            assertThat(demo.exitValue()).isZero();
            return Files.readString(output);
        } finally {
            demo.destroyForcibly();
            demo.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String token(Path bin, Path state, String name) throws Exception {
        var result = GatewayFixture.run(Map.of(), null, bin.toString(), "demo", "token", "--state-dir", state.toString(), name)
                .assertSuccess();
        String[] lines = result.output().trim().split("\n");
        return lines[lines.length - 1].trim();
    }

    private static void waitFor(Path output, String text, Process process) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(output) && Files.readString(output).contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the demo exited early:\n" + Files.readString(output));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the demo did not start:\n" + Files.readString(output));
    }
}
