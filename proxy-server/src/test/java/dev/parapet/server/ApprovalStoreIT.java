package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway replicas sharing their approval requests through a real PostgreSQL table: a
 * statement held on one is approved through the other and runs; a ticket approved through one is
 * used on the other, once.
 */
class ApprovalStoreIT {

    static GatewayFixture a;
    static GatewayFixture b;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        Path dir = GatewayFixture.tempDir("approval-store");
        Files.writeString(dir.resolve("rules.yaml"), """
                rules:
                  - id: ddl-needs-approval
                    kind: require-approval
                    statements: [alter]
                    approvers: [approvers]
                  - id: truncate-by-ticket
                    kind: require-approval
                    statements: [truncate]
                    approval-mode: ticket
                    approvers: [approvers]
                """);
        GatewayFixture.prepareDatabase(); // when this class runs first, the database is not there yet
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement()) {
            st.execute("drop table if exists parapet_approvals_it");
            st.execute("drop table if exists approval_store_it");
            st.execute("create table approval_store_it (id int)");
            st.execute("insert into approval_store_it values (1)");
        }
        String yaml = GatewayFixture.defaultConfig()
                .replace("    - {name: bob, password: bob-pw, groups: [dba]}\n",
                        "    - {name: bob, password: bob-pw, groups: [dba]}\n    - {name: carol, password: carol-pw, groups: [approvers]}\n")
                + "policies: " + dir + "\n"
                + """
                approvals:
                  store:
                    url: jdbc:postgresql://%s:%d/%s
                    user: %s
                    table: parapet_approvals_it
                """.formatted(GatewayFixture.PG_HOST, GatewayFixture.PG_PORT, GatewayFixture.DATABASE, GatewayFixture.PG_SUPERUSER);
        a = GatewayFixture.start(yaml);
        b = GatewayFixture.start(yaml);
    }

    @AfterAll
    static void stop() throws Exception {
        a.stop();
        b.stop();
        GatewayFixture.assertNoLeaks();
    }

    private static HttpResponse<String> api(GatewayFixture on, String method, String path) throws Exception {
        String basic = Base64.getEncoder().encodeToString("carol:carol-pw".getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.adminPort() + path))
                .header("Authorization", "Basic " + basic).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String pendingOn(GatewayFixture on, String statement) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < until) {
            for (JsonNode request : JSON.readTree(api(on, "GET", "/api/approvals").body())) {
                if (request.get("full-statement").asText().equals(statement)) {
                    return request.get("id").asText();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not pending: " + statement);
    }

    @Test
    void aStatementHeldOnOneReplicaIsReleasedByAnApprovalThroughTheOther() throws Exception {
        String sql = "alter table approval_store_it add column through_b int";
        CompletableFuture<GatewayFixture.Result> psql = CompletableFuture.supplyAsync(() -> {
            try {
                return a.psql("it", "bob", "bob-pw", "-c", sql);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String id = pendingOn(b, sql);
        assertThat(psql).isNotDone();
        HttpResponse<String> approved = api(b, "POST", "/api/approvals/" + id + "/approve");
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        GatewayFixture.Result result = psql.get(30, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(api(a, "POST", "/api/approvals/" + id + "/approve").statusCode()).as("decided, on every replica")
                .isEqualTo(409);
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select state, approved_by[1] from parapet_approvals_it where id = '" + id + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("approved");
            assertThat(rs.getString(2)).isEqualTo("carol");
        }
    }

    @Test
    void aTicketApprovedThroughOneReplicaRunsOnceOnTheOther() throws Exception {
        try (Connection onA = a.connect("it", "bob", "bob-pw", Map.of()); Statement stA = onA.createStatement();
             Connection onB = b.connect("it", "bob", "bob-pw", Map.of()); Statement stB = onB.createStatement()) {
            SQLException asked = catchThrowableOfType(SQLException.class, () -> stA.execute("truncate approval_store_it"));
            String id = asked.getMessage().replaceAll("(?s).*approval request ([0-9a-f]+) is open.*", "$1");
            pendingOn(b, "truncate approval_store_it");
            assertThat(api(b, "POST", "/api/approvals/" + id + "/approve").statusCode()).isEqualTo(200);
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean ran = false;
            while (!ran && System.nanoTime() < until) {
                try {
                    stB.execute("truncate approval_store_it");
                    ran = true;
                } catch (SQLException notYet) {
                    Thread.sleep(100); // B reads the store's usable tickets every 250 ms
                }
            }
            assertThat(ran).as("the ticket works on the other replica").isTrue();
            Thread.sleep(600);
            SQLException again = catchThrowableOfType(SQLException.class, () -> stA.execute("truncate approval_store_it"));
            assertThat(again.getMessage()).as("used up, on every replica").contains("requires approval");
        }
    }
}
