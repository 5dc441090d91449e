package dev.parapet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.config.ApprovalsConfig;
import dev.parapet.policy.ApprovalTerms;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApprovalsTest {

    private final Approvals approvals = new Approvals(Clock.systemUTC(),
            new ApprovalNotifier(new ApprovalsConfig(null, null, null, null, null), "http://127.0.0.1:9090", Clock.systemUTC()));

    private static Identity person(String name, String... groups) {
        return new Identity(name, name, name + "@example.com", Set.of(groups), Identity.Kind.HUMAN, "test", Map.of());
    }

    private static final Identity BOB = person("bob", "dba");
    private static final Identity CAROL = person("carol", "approvers");
    private static final Identity DAVE = person("dave", "approvers");

    @AfterEach
    void close() {
        approvals.close();
    }

    private Approvals.Request open(ApprovalTerms terms) {
        return approvals.open("r", "needs approval", terms, BOB, "prod", "prod", "alter table t add column c int",
                "alter table t add column c int");
    }

    @Test
    void twoApprovalsFromDifferentApproversWhenTheRuleAsksForTwo() throws Exception {
        Approvals.Request request = open(new ApprovalTerms(ApprovalTerms.Mode.HOLD, Set.of("approvers"), false, 2,
                Duration.ofMinutes(5), Duration.ofHours(1)));
        approvals.approve(request.id(), CAROL);
        assertThat(request.outcome()).as("one of two").isNotDone();
        assertThatThrownBy(() -> approvals.approve(request.id(), CAROL)).isInstanceOfSatisfying(Approvals.RefusedDecision.class,
                e -> assertThat(e.status()).isEqualTo(409));
        approvals.approve(request.id(), DAVE);
        assertThat(request.outcome().get(1, TimeUnit.SECONDS)).isEqualTo(new Approvals.Outcome.Approved(
                java.util.List.of("carol", "dave")));
    }

    @Test
    void selfApprovalOnlyWhenTheRuleAllowsIt() throws Exception {
        Approvals.Request strict = open(new ApprovalTerms(ApprovalTerms.Mode.HOLD, Set.of(), false, 1,
                Duration.ofMinutes(5), Duration.ofHours(1)));
        assertThatThrownBy(() -> approvals.approve(strict.id(), BOB)).isInstanceOfSatisfying(Approvals.RefusedDecision.class,
                e -> assertThat(e.status()).isEqualTo(403));
        Approvals.Request lenient = open(new ApprovalTerms(ApprovalTerms.Mode.HOLD, Set.of(), true, 1,
                Duration.ofMinutes(5), Duration.ofHours(1)));
        approvals.approve(lenient.id(), BOB);
        assertThat(lenient.state()).isEqualTo("approved");
    }

    @Test
    void aRequestExpiresAndCannotBeDecidedAfterwards() throws Exception {
        Approvals.Request request = open(new ApprovalTerms(ApprovalTerms.Mode.HOLD, Set.of(), false, 1,
                Duration.ofMillis(200), Duration.ofHours(1)));
        assertThat(request.outcome().get(5, TimeUnit.SECONDS)).isInstanceOf(Approvals.Outcome.Expired.class);
        assertThatThrownBy(() -> approvals.approve(request.id(), CAROL)).isInstanceOfSatisfying(Approvals.RefusedDecision.class,
                e -> assertThat(e.status()).isEqualTo(409));
        assertThat(approvals.pending()).doesNotContain(request);
    }

    @Test
    void aTicketIsForItsRequesterItsTargetAndItsTextOnce() throws Exception {
        Approvals.Request ticket = open(new ApprovalTerms(ApprovalTerms.Mode.TICKET, Set.of("approvers"), false, 1,
                Duration.ofMinutes(5), Duration.ofHours(1)));
        assertThat(approvals.redeem(BOB, "prod", "alter table t add column c int")).as("not approved yet").isEmpty();
        approvals.approve(ticket.id(), CAROL);
        assertThat(approvals.redeem(CAROL, "prod", "alter table t add column c int")).as("someone else").isEmpty();
        assertThat(approvals.redeem(BOB, "staging", "alter table t add column c int")).as("another target").isEmpty();
        assertThat(approvals.redeem(BOB, "prod", "alter table t add column d int")).as("another text").isEmpty();
        assertThat(approvals.redeem(BOB, "prod", "alter table t add column c int")).contains(ticket);
        assertThat(approvals.redeem(BOB, "prod", "alter table t add column c int")).as("once").isEmpty();
    }

    @Test
    void anApproverMustAlsoMeetTheRulesConditionOverTheApproverAndTheRequest() throws Exception {
        var when = dev.parapet.policy.Condition.compile(
                "target.environment == 'prod' && identity.subject != 'carol' && statement.tables_written.exists(t, t == 't')");
        Approvals.Request request = open(new ApprovalTerms(ApprovalTerms.Mode.HOLD, Set.of("approvers"), false, 1,
                Duration.ofMinutes(5), Duration.ofHours(1), when));
        assertThatThrownBy(() -> approvals.approve(request.id(), CAROL)).isInstanceOfSatisfying(Approvals.RefusedDecision.class,
                e -> assertThat(e.getMessage()).contains("does not meet", "identity.subject != 'carol'"));
        approvals.approve(request.id(), DAVE);
        assertThat(request.state()).isEqualTo("approved");
    }

    @Test
    void aTicketCanMatchTheStatementsShapeAndServeItsWholeWindow() throws Exception {
        ApprovalTerms terms = new ApprovalTerms(ApprovalTerms.Mode.TICKET, Set.of(), false, 1, Duration.ofMinutes(5),
                Duration.ofHours(1), dev.parapet.policy.Condition.ALWAYS, false, ApprovalTerms.TicketMatch.FINGERPRINT, true);
        Approvals.Request ticket = approvals.open("r", "bulk change", terms, BOB, "prod", "prod",
                "update t set a = ? where id < ?", "update t set a = 1 where id < 100");
        approvals.approve(ticket.id(), CAROL);
        assertThat(approvals.redeem(BOB, "prod", "update t set a = 2 where id < 50", "update t set a = ? where id < ?"))
                .as("the same shape, other literals").contains(ticket);
        assertThat(approvals.redeem(BOB, "prod", "update t set a = 3 where id < 10", "update t set a = ? where id < ?"))
                .as("again, within the window").contains(ticket);
        assertThat(approvals.redeem(BOB, "prod", "update t set b = 3", "update t set b = ?")).as("another shape").isEmpty();
    }
}
