package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.core.Approvals;
import dev.parapet.core.Identity;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Approvals over the MySQL protocol, through the shared pipeline: bob's ALTER TABLE waits in its
 * session until erin (an approver) decides; approved it runs, rejected it is refused naming her,
 * and bob's KILL QUERY from another connection withdraws it. The session waits without a thread:
 * another client is served meanwhile.
 */
class MySqlApprovalIT {

    private static GatewayFixture gateway;
    private static final Identity ERIN = new Identity("erin", "erin", null, Set.of("strict"), Identity.Kind.HUMAN,
            "dev-users", Map.of());

    @BeforeAll
    static void start() throws Exception {
        gateway = MySqlFixture.start(MySqlFixture.policies("mysql-approvals", """
                rules:
                  - id: ddl-needs-approval
                    kind: require-approval
                    statements: [alter]
                    groups: [dba]
                    approvers: [strict]
                    expires-after: 1m
                """), null);
        try (Connection c = MySqlFixture.direct(); Statement st = c.createStatement()) {
            st.execute("create or replace table approval_it (id int primary key)");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try (Connection c = MySqlFixture.direct(); Statement st = c.createStatement()) {
            st.execute("drop table if exists approval_it");
        }
        gateway.stop();
        GatewayFixture.assertNoLeaks();
    }

    private static Approvals approvals() {
        return gateway.server().context().approvals();
    }

    private static Approvals.Request awaitRequest() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            List<Approvals.Request> pending = approvals().pending();
            if (!pending.isEmpty()) {
                return pending.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no approval request was opened");
    }

    private static CompletableFuture<Object> inBackground(Connection c, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
                return "ran";
            } catch (SQLException e) {
                return e;
            }
        });
    }

    private static boolean columnExists(String column) throws SQLException {
        return !MySqlFixture.query(MySqlFixture.direct(), "select count(*) from information_schema.columns where table_schema ="
                + " database() and table_name = 'approval_it' and column_name = '" + column + "'").startsWith("0");
    }

    @Test
    void aHeldAlterRunsOnceApprovedAndIsRefusedOnceRejected() throws Exception {
        try (Connection bob = MySqlFixture.mariadb(gateway, "bob", "sslMode=trust");
             Connection alice = MySqlFixture.mariadb(gateway, "alice", "sslMode=trust")) {
            CompletableFuture<Object> held = inBackground(bob, "alter table approval_it add column approved_col int");
            Approvals.Request request = awaitRequest();
            assertThat(request.requester().subject()).isEqualTo("bob");
            assertThat(request.ruleId()).isEqualTo("ddl-needs-approval");
            assertThat(held).as("the statement waits").isNotDone();
            assertThat(MySqlFixture.query(alice, "select 41 + 1")).as("others are served meanwhile").isEqualTo("42|\n");
            assertThat(columnExists("approved_col")).isFalse();
            approvals().approve(request.id(), ERIN);
            assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(columnExists("approved_col")).isTrue();
            assertThat(MySqlFixture.query(bob, "select 1")).as("the session goes on").isEqualTo("1|\n");

            CompletableFuture<Object> rejected = inBackground(bob, "alter table approval_it add column rejected_col int");
            Approvals.Request second = awaitRequest();
            approvals().reject(second.id(), ERIN, "not in this release");
            Object outcome = rejected.get(10, TimeUnit.SECONDS);
            assertThat(outcome).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getErrorCode()).isEqualTo(1142);
                assertThat(e.getMessage()).contains("rejected by erin").contains("not in this release");
            });
            assertThat(columnExists("rejected_col")).as("a rejected statement never reaches the database").isFalse();
        }
    }

    @Test
    void killQueryFromAnotherConnectionWithdrawsTheHeldStatement() throws Exception {
        try (Connection bob = MySqlFixture.mariadb(gateway, "bob", "sslMode=trust");
             Connection other = MySqlFixture.mariadb(gateway, "bob", "sslMode=trust")) {
            long id = bob.unwrap(org.mariadb.jdbc.Connection.class).getThreadId();
            CompletableFuture<Object> held = inBackground(bob, "alter table approval_it add column withdrawn_col int");
            Approvals.Request request = awaitRequest();
            try (Statement st = other.createStatement()) {
                st.execute("kill query " + id);
            }
            Object outcome = held.get(10, TimeUnit.SECONDS);
            assertThat(outcome).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getErrorCode()).isEqualTo(1317);
                assertThat(e.getMessage()).contains(request.id()).contains("withdrawn");
            });
            assertThat(approvals().pending()).isEmpty();
            assertThat(columnExists("withdrawn_col")).isFalse();
        }
    }
}
