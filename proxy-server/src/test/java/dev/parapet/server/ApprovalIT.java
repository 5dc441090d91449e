package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.audit.AuditEvent;
import dev.parapet.audit.AuditFields;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Statements held for approval with real clients: psql and pgJDBC wait (the gateway keeps serving
 * everyone else), an approver's decision through the admin API or the command line releases them;
 * a rejected or expired statement never reaches the database; tickets run once; who may decide
 * is checked; every step is in the audit trail.
 */
class ApprovalIT {

    static GatewayFixture gateway;
    /** Stands in for the approvers' chat or ticket system: what the gateway's webhook sent. */
    static com.sun.net.httpserver.HttpServer hook;
    static final List<Map.Entry<com.sun.net.httpserver.Headers, byte[]>> NOTIFIED = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Jira, played by the same local server: the issues the gateway filed, and their status. */
    static final List<JsonNode> JIRA_CREATED = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final Map<String, String> JIRA_STATUS = new java.util.concurrent.ConcurrentHashMap<>();
    static final List<String> JIRA_AUTH = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** What the gateway posted to Slack's incoming webhook (played by the same local server). */
    static final List<byte[]> SLACK = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        Path dir = GatewayFixture.tempDir("approvals");
        Files.writeString(dir.resolve("rules.yaml"), """
                rules:
                  - id: ddl-needs-approval
                    kind: require-approval
                    statements: [alter, create]
                    approvers: [approvers]
                  - id: comments-expire
                    kind: require-approval
                    statements: [comment]
                    approvers: [approvers]
                    expires-after: 2s
                  - id: bulk-updates-with-an-estimate
                    kind: require-approval
                    statements: [update]
                    approval-mode: ticket
                    approvers: [approvers]
                    estimate-rows: true
                  - id: truncate-by-ticket
                    kind: require-approval
                    statements: [truncate]
                    approval-mode: ticket
                    approvers: [approvers, dba]
                """);
        hook = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/rest/api/2/issue", exchange -> {
            JIRA_AUTH.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] answer;
            if (exchange.getRequestMethod().equals("POST")) {
                JIRA_CREATED.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
                String key = "DBA-" + JIRA_CREATED.size();
                JIRA_STATUS.put(key, "To Do");
                answer = ("{\"id\":\"1000" + JIRA_CREATED.size() + "\",\"key\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
            } else {
                String key = exchange.getRequestURI().getPath().replaceAll(".*/", "");
                String status = JIRA_STATUS.getOrDefault(key, "To Do");
                answer = ("{\"key\":\"" + key + "\",\"fields\":{\"status\":{\"name\":\"" + status + "\"}},"
                        + "\"changelog\":{\"histories\":[{\"author\":{\"accountId\":\"acc-carol\"},\"items\":[{\"field\":\"status\","
                        + "\"fromString\":\"To Do\",\"toString\":\"" + status + "\"}]}]}}").getBytes(StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(exchange.getRequestMethod().equals("POST") ? 201 : 200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        hook.createContext("/slack", exchange -> {
            SLACK.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hook.createContext("/hook", exchange -> {
            NOTIFIED.add(Map.entry(exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hook.start();
        String yaml = GatewayFixture.defaultConfig()
                .replace("    - {name: bob, password: bob-pw, groups: [dba]}\n",
                        "    - {name: bob, password: bob-pw, groups: [dba]}\n    - {name: carol, password: carol-pw, groups: [approvers]}\n")
                + "policies: " + dir + "\n"
                + """
                approvals:
                  public-url: https://gateway.example.com:9090
                  notify:
                    - url: http://127.0.0.1:HOOKPORT/hook
                      secret: hook-secret
                      headers: {X-Team: dba}
                  slack:
                    webhook-url: http://127.0.0.1:HOOKPORT/slack
                    signing-secret: slack-signing-secret
                    users:
                      U0CAROL: {subject: carol, name: Carol, groups: [approvers]}
                      U0MALLORY: {subject: mallory, groups: [interns]}
                  jira:
                    url: http://127.0.0.1:HOOKPORT
                    user: parapet-bot@example.com
                    api-token: jira-token
                    project: DBA
                    poll-interval: 100ms
                    users:
                      acc-carol: {subject: carol, groups: [approvers]}
                audit:
                  flush-interval: 10ms
                  sinks:
                    - {type: capture}
                """;
        gateway = GatewayFixture.start(yaml.replace("HOOKPORT", Integer.toString(hook.getAddress().getPort())));
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement()) {
            st.execute("drop table if exists approval_it");
            st.execute("create table approval_it (id int)");
            st.execute("insert into approval_it values (1), (2)");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop();
        hook.stop(0);
        GatewayFixture.assertNoLeaks();
    }

    @BeforeEach
    void clear() {
        CapturingSink.EVENTS.clear();
    }

    private static HttpResponse<String> api(String method, String path, String user, String password) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .header("Authorization", "Basic " + basic).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The id of the pending request for {@code statement}, once it is there. */
    private static String pendingId(String statement) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < until) {
            for (JsonNode request : JSON.readTree(api("GET", "/api/approvals", "carol", "carol-pw").body())) {
                if (request.get("full-statement").asText().equals(statement)) {
                    return request.get("id").asText();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no pending approval request for " + statement);
    }

    private static boolean columnExists(String column) throws SQLException {
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select 1 from information_schema.columns where table_name = 'approval_it'"
                     + " and column_name = '" + column + "'")) {
            return rs.next();
        }
    }

    private static int cli(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return new CommandLine(new Main()).execute(args);
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void psqlWaitsWhileTheGatewayServesOthersAndRunsOnceApprovedFromTheCommandLine() throws Exception {
        CompletableFuture<GatewayFixture.Result> psql = CompletableFuture.supplyAsync(() -> {
            try {
                return gateway.psql("it", "bob", "bob-pw", "-c", "alter table approval_it add column held_a int",
                        "-c", "select 'after'");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String id = pendingId("alter table approval_it add column held_a int");
        JsonNode listed = null;
        for (JsonNode request : JSON.readTree(api("GET", "/api/approvals", "carol", "carol-pw").body())) {
            if (request.get("id").asText().equals(id)) {
                listed = request;
            }
        }
        assertThat(listed.get("requester").asText()).isEqualTo("bob");
        assertThat(listed.get("full-statement").asText()).isEqualTo("alter table approval_it add column held_a int");
        assertThat(psql).as("psql waits").isNotDone();
        try (Connection other = gateway.connect("it"); Statement st = other.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from approval_it")) {
            assertThat(rs.next()).as("others are served meanwhile").isTrue();
        }
        assertThat(columnExists("held_a")).as("nothing reached the database yet").isFalse();
        assertThat(cli("approvals", "approve", id, "--admin", "http://127.0.0.1:" + gateway.adminPort(),
                "--user", "carol", "--token", "carol-pw")).isZero();
        GatewayFixture.Result result = psql.get(30, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("requires approval", id, "after");
        assertThat(columnExists("held_a")).isTrue();
        Thread.sleep(200);
        List<String> steps = CapturingSink.EVENTS.stream().filter(e -> e.name().equals(AuditFields.APPROVAL))
                .map(e -> e.text(AuditFields.APPROVAL_STEP) + ":" + (e.text(AuditFields.APPROVER) == null ? "" : e.text(AuditFields.APPROVER)))
                .toList();
        assertThat(steps).containsSubsequence("requested:", "approved:carol", "executed:carol").contains("notified:");
        var note = NOTIFIED.stream().filter(n -> new String(n.getValue(), StandardCharsets.UTF_8).contains(id)).findFirst()
                .orElseThrow();
        JsonNode body = JSON.readTree(note.getValue());
        assertThat(body.get("requester").asText()).isEqualTo("bob");
        assertThat(body.get("statement").asText()).isEqualTo("alter table approval_it add column held_a int");
        assertThat(body.get("approve").asText()).isEqualTo("https://gateway.example.com:9090/api/approvals/" + id + "/approve");
        assertThat(note.getKey().getFirst("X-Team")).isEqualTo("dba");
        String timestamp = note.getKey().getFirst("X-Parapet-Timestamp");
        assertThat(note.getKey().getFirst("X-Parapet-Signature"))
                .isEqualTo("sha256=" + dev.parapet.core.ApprovalNotifier.sign("hook-secret", timestamp, note.getValue()))
                .isNotEqualTo("sha256=" + dev.parapet.core.ApprovalNotifier.sign("other-secret", timestamp, note.getValue()));
        AuditEvent statement = CapturingSink.EVENTS.stream().filter(e -> e.name().equals(AuditFields.STATEMENT)
                && "ALTER".equals(e.text(AuditFields.OPERATION))).findFirst().orElseThrow();
        assertThat(statement.text(AuditFields.DECISION)).isEqualTo("allowed");
    }

    @Test
    void aRejectedStatementNeverReachesTheDatabaseAndTheClientLearnsWhoRejectedIt() throws Exception {
        try (Connection bob = gateway.connect("it", "bob", "bob-pw", Map.of("prepareThreshold", "1"))) {
            CompletableFuture<SQLException> held = CompletableFuture.supplyAsync(() -> catchThrowableOfType(SQLException.class,
                    () -> bob.prepareStatement("alter table approval_it add column held_b int").execute()));
            String id = pendingId("alter table approval_it add column held_b int");
            assertThat(api("POST", "/api/approvals/" + id + "/approve", "bob", "bob-pw").statusCode())
                    .as("nobody approves their own request").isEqualTo(403);
            assertThat(api("POST", "/api/approvals/" + id + "/approve", "alice", "alice-pw").statusCode())
                    .as("alice is no approver").isEqualTo(403);
            assertThat(api("POST", "/api/approvals/" + id + "/approve", "carol", "wrong").statusCode()).isEqualTo(401);
            HttpResponse<String> bearer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort()
                    + "/api/approvals")).header("Authorization", "Bearer carol-pw").header("X-Parapet-User", "carol").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bearer.statusCode()).as("a bearer token with the user named").isEqualTo(200);
            assertThat(bearer.body()).contains(id);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + "/api/approvals"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as("no credentials").isEqualTo(401);
            assertThat(api("POST", "/api/approvals/" + id + "/reject?reason=not+during+business+hours", "carol", "carol-pw")
                    .statusCode()).isEqualTo(200);
            SQLException e = held.get(30, TimeUnit.SECONDS);
            assertThat((Object) e).isNotNull();
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("rejected by carol", "not during business hours");
            assertThat(columnExists("held_b")).isFalse();
            try (Statement st = bob.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
                assertThat(rs.next()).as("the session goes on").isTrue();
            }
            assertThat(api("POST", "/api/approvals/" + id + "/approve", "carol", "carol-pw").statusCode())
                    .as("decided already").isEqualTo(409);
        }
    }

    @Test
    void cancelingAHeldStatementWithdrawsItsRequest() throws Exception {
        try (Connection bob = gateway.connect("it", "bob", "bob-pw", Map.of()); Statement st = bob.createStatement()) {
            CompletableFuture<SQLException> held = CompletableFuture.supplyAsync(() -> catchThrowableOfType(SQLException.class,
                    () -> st.execute("alter table approval_it add column held_c int")));
            String id = pendingId("alter table approval_it add column held_c int");
            st.cancel(); // pgJDBC sends a CancelRequest on a connection of its own
            SQLException e = held.get(30, TimeUnit.SECONDS);
            assertThat(e.getSQLState()).isEqualTo("57014");
            assertThat(e.getMessage()).contains("withdrawn", id);
            assertThat(api("POST", "/api/approvals/" + id + "/approve", "carol", "carol-pw").statusCode())
                    .as("nothing left to approve").isEqualTo(409);
            assertThat(columnExists("held_c")).isFalse();
            try (ResultSet rs = st.executeQuery("select 1")) {
                assertThat(rs.next()).as("the session goes on").isTrue();
            }
        }
    }

    private static HttpResponse<String> slackPress(String user, String action, String id, long timestamp, String secret)
            throws Exception {
        String payload = JSON.writeValueAsString(Map.of("type", "block_actions", "user", Map.of("id", user),
                "actions", List.of(Map.of("action_id", action, "value", id))));
        String body = "payload=" + java.net.URLEncoder.encode(payload, StandardCharsets.UTF_8);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "v0=" + java.util.HexFormat.of().formatHex(
                mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + "/api/slack/actions"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .header("X-Slack-Signature", signature).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void slackButtonsDecideAndForgedOrStalePressesAreRefused() throws Exception {
        CompletableFuture<GatewayFixture.Result> psql = CompletableFuture.supplyAsync(() -> {
            try {
                return gateway.psql("it", "bob", "bob-pw", "-c", "alter table approval_it add column held_d int");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String id = pendingId("alter table approval_it add column held_d int");
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (SLACK.stream().noneMatch(m -> new String(m, StandardCharsets.UTF_8).contains(id)) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        JsonNode message = JSON.readTree(SLACK.stream().filter(m -> new String(m, StandardCharsets.UTF_8).contains(id))
                .findFirst().orElseThrow());
        assertThat(message.get("blocks").get(1).get("elements").get(0).get("value").asText()).isEqualTo(id);
        long now = System.currentTimeMillis() / 1000;
        assertThat(slackPress("U0CAROL", "approve", id, now, "not-the-secret").statusCode()).as("forged").isEqualTo(401);
        assertThat(slackPress("U0CAROL", "approve", id, now - 600, "slack-signing-secret").statusCode()).as("stale")
                .isEqualTo(401);
        HttpResponse<String> intern = slackPress("U0MALLORY", "approve", id, now, "slack-signing-secret");
        assertThat(intern.body()).contains("not an approver");
        assertThat(psql).as("still waiting").isNotDone();
        HttpResponse<String> approved = slackPress("U0CAROL", "approve", id, now, "slack-signing-secret");
        assertThat(approved.statusCode()).isEqualTo(200);
        assertThat(approved.body()).contains("approved");
        GatewayFixture.Result result = psql.get(30, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(columnExists("held_d")).isTrue();
    }

    @Test
    void movingTheJiraIssueToApprovedReleasesTheStatement() throws Exception {
        String sql = "alter table approval_it add column held_e int";
        CompletableFuture<GatewayFixture.Result> psql = CompletableFuture.supplyAsync(() -> {
            try {
                return gateway.psql("it", "bob", "bob-pw", "-c", sql);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String id = pendingId(sql);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (JIRA_CREATED.stream().noneMatch(i -> i.toString().contains(id)) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        JsonNode created = JIRA_CREATED.stream().filter(i -> i.toString().contains(id)).findFirst().orElseThrow();
        assertThat(created.at("/fields/project/key").asText()).isEqualTo("DBA");
        assertThat(created.at("/fields/issuetype/name").asText()).isEqualTo("Task");
        assertThat(created.at("/fields/summary").asText()).contains(id, "bob", "it");
        assertThat(created.at("/fields/description").asText()).contains(sql);
        assertThat(JIRA_AUTH).contains("Basic " + Base64.getEncoder().encodeToString(
                "parapet-bot@example.com:jira-token".getBytes(StandardCharsets.UTF_8)));
        String key = "DBA-" + (JIRA_CREATED.indexOf(created) + 1);
        Thread.sleep(300);
        assertThat(psql).as("an open issue decides nothing").isNotDone();
        JIRA_STATUS.put(key, "Approved");
        GatewayFixture.Result result = psql.get(30, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(columnExists("held_e")).isTrue();
    }

    @Test
    void aRuleCanAskForThePlannersRowEstimateWhichApproversSee() throws Exception {
        try (Connection bob = gateway.connect("it", "bob", "bob-pw", Map.of()); Statement st = bob.createStatement()) {
            SQLException asked = catchThrowableOfType(SQLException.class, () -> st.execute("update approval_it set id = id + 0"));
            String id = asked.getMessage().replaceAll("(?s).*approval request ([0-9a-f]+) is open.*", "$1");
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            JsonNode listed = null;
            while (System.nanoTime() < until && (listed == null || !listed.has("estimated-rows"))) {
                for (JsonNode request : JSON.readTree(api("GET", "/api/approvals", "carol", "carol-pw").body())) {
                    if (request.get("id").asText().equals(id)) {
                        listed = request;
                    }
                }
                Thread.sleep(50);
            }
            assertThat(listed).isNotNull();
            assertThat(listed.get("estimated-rows").asLong()).as("what EXPLAIN expects").isPositive();
            assertThat(NOTIFIED.stream().map(n -> new String(n.getValue(), StandardCharsets.UTF_8))
                    .filter(body -> body.contains(id)).findFirst().orElseThrow()).contains("\"estimated-rows\"");
            try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement direct = c.createStatement();
                 ResultSet rs = direct.executeQuery("select count(*) from approval_it")) {
                rs.next();
                assertThat(rs.getInt(1)).as("EXPLAIN ran nothing").isEqualTo(2);
            }
        }
    }

    @Test
    void aRequestNobodyDecidesExpires() throws Exception {
        try (Connection bob = gateway.connect("it", "bob", "bob-pw", Map.of()); Statement st = bob.createStatement()) {
            long start = System.nanoTime();
            SQLException e = catchThrowableOfType(SQLException.class, () -> st.execute("comment on table approval_it is 'x'"));
            assertThat(e.getMessage()).contains("expired");
            assertThat(System.nanoTime() - start).isGreaterThan(TimeUnit.SECONDS.toNanos(1));
        }
    }

    @Test
    void anApprovedTicketRunsTheSameStatementOnce() throws Exception {
        try (Connection bob = gateway.connect("it", "bob", "bob-pw", Map.of()); Statement st = bob.createStatement()) {
            SQLException first = catchThrowableOfType(SQLException.class, () -> st.execute("truncate approval_it"));
            assertThat(first.getMessage()).contains("requires approval", "approval request");
            String id = first.getMessage().replaceAll("(?s).*approval request ([0-9a-f]+) is open.*", "$1");
            assertThat(api("POST", "/api/approvals/" + id + "/approve", "carol", "carol-pw").statusCode()).isEqualTo(200);
            st.execute("truncate approval_it");
            SQLException again = catchThrowableOfType(SQLException.class, () -> st.execute("truncate approval_it"));
            assertThat(again.getMessage()).as("a ticket runs once").contains("requires approval");
            SQLException asked = catchThrowableOfType(SQLException.class, () -> st.execute("truncate approval_it"));
            assertThat(asked.getMessage()).as("asking again while a request is open reuses it")
                    .contains(again.getMessage().replaceAll("(?s).*(approval request [0-9a-f]+).*", "$1"));
            SQLException other = catchThrowableOfType(SQLException.class, () -> st.execute("truncate only approval_it"));
            assertThat(other.getMessage()).as("only the approved text").contains("requires approval");
        } finally {
            try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement()) {
                st.execute("insert into approval_it values (1), (2)");
            }
        }
    }
}
