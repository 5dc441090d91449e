package dev.parapet.postgres.frontend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.config.TargetConfig;
import dev.parapet.config.UpstreamTlsConfig;
import dev.parapet.core.UpstreamAccount;
import dev.parapet.policy.StatementAnalysis;
import dev.parapet.policy.StatementKind;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The planner's row estimate for a statement waiting for approval: {@code EXPLAIN (FORMAT JSON)}
 * on a connection of its own, as the requester's database account, on a virtual thread. Only for
 * one statement of a kind EXPLAIN takes, sent as a prepared statement (which the database refuses
 * to hold two statements in); EXPLAIN without ANALYZE runs nothing.
 */
final class PlanEstimate {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<StatementKind> EXPLAINABLE = Set.of(StatementKind.SELECT, StatementKind.INSERT,
            StatementKind.UPDATE, StatementKind.DELETE, StatementKind.MERGE);

    private PlanEstimate() {
    }

    /** Whether the planner can estimate {@code analysis}'s rows. */
    static boolean possible(StatementAnalysis analysis) {
        return analysis instanceof StatementAnalysis.Analyzed analyzed && analyzed.statements().size() == 1
                && EXPLAINABLE.contains(analyzed.statements().get(0).kind());
    }

    /** The estimate, or empty when the database would not plan it (parameters, a failure). */
    static CompletableFuture<Optional<Long>> of(TargetConfig target, UpstreamAccount account, String sql) {
        CompletableFuture<Optional<Long>> result = new CompletableFuture<>();
        Thread.ofVirtual().name("plan-estimate").start(() -> {
            Properties props = new Properties();
            props.setProperty("user", account.user());
            if (!account.password().isEmpty()) {
                props.setProperty("password", account.password().reveal());
            }
            UpstreamTlsConfig tls = target.upstream().tls();
            props.setProperty("sslmode", tls == null ? "disable" : switch (tls.mode()) {
                case DISABLE -> "disable";
                case REQUIRE -> "require";
                case VERIFY_CA -> "verify-ca";
                case VERIFY_FULL -> "verify-full";
            });
            if (tls != null && tls.ca() != null) {
                props.setProperty("sslrootcert", tls.ca().toString());
            }
            props.setProperty("connectTimeout", "5");
            props.setProperty("socketTimeout", "10");
            props.setProperty("ApplicationName", "parapet:approval-estimate");
            String url = "jdbc:postgresql://" + target.upstream().host() + ":" + target.upstream().port() + "/"
                    + target.upstream().database();
            try (Connection c = DriverManager.getConnection(url, props)) {
                if (account.role().isPresent()) {
                    try (var st = c.createStatement()) {
                        st.execute("SET ROLE \"" + account.role().get().replace("\"", "\"\"") + "\"");
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("EXPLAIN (FORMAT JSON) " + sql); ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        JsonNode plan = JSON.readTree(rs.getString(1)).path(0).path("Plan");
                        if ("ModifyTable".equals(plan.path("Node Type").asText()) && plan.path("Plans").size() > 0) {
                            plan = plan.path("Plans").path(0); // the rows an INSERT, UPDATE or DELETE would change
                        }
                        result.complete(plan.has("Plan Rows") ? Optional.of(plan.get("Plan Rows").asLong()) : Optional.empty());
                        return;
                    }
                }
                result.complete(Optional.empty());
            } catch (Exception e) {
                result.complete(Optional.empty());
            }
        });
        return result;
    }
}
