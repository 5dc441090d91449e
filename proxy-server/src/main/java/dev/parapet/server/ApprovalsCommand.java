package dev.parapet.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parapet approvals list|approve ID|reject ID}: the approval requests of a running gateway,
 * through its admin listener, authenticated as the approver (a token, or {@code --as NAME} with the
 * demo's built-in issuer).
 */
@Command(name = "approvals", description = "List, approve or reject the statements waiting for approval.",
        subcommands = {ApprovalsCommand.ListRequests.class, ApprovalsCommand.Approve.class, ApprovalsCommand.Reject.class,
                CommandLine.HelpCommand.class})
final class ApprovalsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** Who calls and where: shared by the subcommands. */
    static class Caller {
        @Option(names = "--admin", description = "The gateway's admin listener (default: ${DEFAULT-VALUE}).",
                defaultValue = "http://127.0.0.1:9090")
        String admin;

        @Option(names = "--user", description = "Your user name, as at a database login.")
        String user;

        @Option(names = "--token", description = "Your token (default: the PARAPET_TOKEN environment variable).")
        String token;

        @Option(names = "--as", description = "Demo only: act as this demo identity (alice, bob, carol, etl-agent) with a"
                + " token from the demo's built-in issuer.")
        String as;

        @Option(names = "--state-dir", description = "The demo's state directory, for --as (default: ${DEFAULT-VALUE}).",
                defaultValue = ".parapet/demo")
        Path stateDir;

        private final ObjectMapper json = new ObjectMapper();

        /** The answer's status and body; exits 2 when the gateway cannot be reached. */
        JsonNode call(String method, String path) throws Exception {
            String name = user;
            String secret = token != null ? token : System.getenv("PARAPET_TOKEN");
            if (as != null) {
                name = as;
                secret = DemoIssuer.load(stateDir.toAbsolutePath().normalize(), DemoIssuer.PORT).token(as, Duration.ofMinutes(5));
            }
            if (name == null || secret == null || secret.isBlank()) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "say who you are: --user NAME with --token TOKEN (or PARAPET_TOKEN), or --as NAME in the demo");
            }
            String basic = Base64.getEncoder().encodeToString((name + ":" + secret).getBytes(StandardCharsets.UTF_8));
            HttpRequest request = HttpRequest.newBuilder(URI.create(admin.replaceAll("/+$", "") + path))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Basic " + basic)
                    .method(method, HttpRequest.BodyPublishers.noBody()).build();
            try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                JsonNode body = response.body().isBlank() ? json.createObjectNode() : json.readTree(response.body());
                if (response.statusCode() / 100 != 2) {
                    System.err.println("refused (" + response.statusCode() + "): "
                            + (body.has("error") ? body.get("error").asText() : response.body()));
                    return null;
                }
                return body;
            }
        }

        static void print(JsonNode request) {
            System.out.printf("%s  %s  rule %s  requested by %s on %s (%s), expires %s%n    %s%n", request.path("id").asText(),
                    request.path("state").asText(), request.path("rule").asText(), request.path("requester").asText(),
                    request.path("target").asText(), request.path("environment").asText(), request.path("expires").asText(),
                    request.has("full-statement") ? request.get("full-statement").asText() : request.path("statement").asText());
            if (request.path("approved-by").size() > 0) {
                System.out.println("    approved by " + request.get("approved-by") + " of "
                        + request.path("approvals-needed").asInt() + " needed");
            }
        }
    }

    @Command(name = "list", description = "The requests waiting for a decision.")
    static final class ListRequests extends Caller implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            JsonNode list = call("GET", "/api/approvals");
            if (list == null) {
                return 1;
            }
            if (list.isEmpty()) {
                System.out.println("no approval requests are waiting");
            }
            list.forEach(Caller::print);
            return 0;
        }
    }

    @Command(name = "approve", description = "Approve a request: the held statement runs (or its ticket can be used).")
    static final class Approve extends Caller implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "The request's id, as the notice or the list shows it.")
        String id;

        @Override
        public Integer call() throws Exception {
            JsonNode request = call("POST", "/api/approvals/" + id + "/approve");
            if (request == null) {
                return 1;
            }
            print(request);
            return 0;
        }
    }

    @Command(name = "reject", description = "Reject a request: the held statement is refused, naming you.")
    static final class Reject extends Caller implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "The request's id.")
        String id;

        @Option(names = "--reason", description = "Why, for the requester and the audit trail.")
        String reason;

        @Override
        public Integer call() throws Exception {
            JsonNode request = call("POST", "/api/approvals/" + id + "/reject"
                    + (reason == null ? "" : "?reason=" + java.net.URLEncoder.encode(reason, StandardCharsets.UTF_8)));
            if (request == null) {
                return 1;
            }
            print(request);
            return 0;
        }
    }
}
