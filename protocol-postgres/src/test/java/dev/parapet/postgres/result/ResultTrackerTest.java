package dev.parapet.postgres.result;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.policy.RowLimit;
import dev.parapet.postgres.result.ResultTracker.RowVerdict;
import org.junit.jupiter.api.Test;

class ResultTrackerTest {

    private static final RowLimit TWO = new RowLimit("two", 2, RowLimit.Action.NOTICE, false);
    private static final RowLimit TWO_OR_FAIL = new RowLimit("two-strict", 2, RowLimit.Action.ERROR, false);
    private static final RowLimit TWO_SHADOW = new RowLimit("two-trial", 2, RowLimit.Action.ERROR, true);

    private final ResultTracker limiter = new ResultTracker();

    @Test
    void rowsOfAnUnlimitedRequestAreNotCountedAgainstTheNextOne() {
        limiter.query(null, java.util.List.of(), null);
        limiter.query(TWO, java.util.List.of(), null);
        assertThat(limiter.inspecting()).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.row()).isEqualTo(RowVerdict.FORWARD);
        }
        limiter.completed();
        limiter.ready();
        assertThat(limiter.row()).isEqualTo(RowVerdict.FORWARD);
        assertThat(limiter.row()).isEqualTo(RowVerdict.FORWARD);
        assertThat(limiter.row()).isEqualTo(RowVerdict.DROP);
        assertThat(limiter.truncationNotice(false).message()).contains("\"two\"").contains("1 more rows");
        limiter.completed();
        limiter.ready();
        assertThat(limiter.inspecting()).isFalse();
    }

    @Test
    void aPortalCountsAcrossItsExecutesUntilRebound() {
        limiter.parse("s1", TWO, java.util.List.of(), null);
        limiter.bind("p", "s1");
        limiter.execute("p");
        limiter.sync();
        assertThat(limiter.row()).isEqualTo(RowVerdict.FORWARD);
        limiter.suspended();
        limiter.ready();
        limiter.execute("p");
        limiter.sync();
        assertThat(limiter.row()).isEqualTo(RowVerdict.FORWARD);
        assertThat(limiter.row()).isEqualTo(RowVerdict.DROP);
        assertThat(limiter.truncationNotice(true).message()).contains("the rest of this result is not sent");
        limiter.suspended();
        limiter.ready();
        limiter.bind("p", "s1");
        limiter.execute("p");
        assertThat(limiter.row()).isEqualTo(RowVerdict.FORWARD);
    }

    @Test
    void anErrorLimitFailsOnceThenDropsUntilReady() {
        limiter.parse("", TWO_OR_FAIL, java.util.List.of(), null);
        limiter.bind("", "");
        limiter.execute("");
        limiter.parse("", null, java.util.List.of(), null);
        limiter.bind("", "");
        limiter.execute("");
        limiter.sync();
        limiter.row();
        limiter.row();
        assertThat(limiter.row()).isEqualTo(RowVerdict.FAIL);
        assertThat(limiter.failure().sqlState()).isEqualTo("54000");
        assertThat(limiter.discarding()).isTrue();
        assertThat(limiter.row()).isEqualTo(RowVerdict.DROP);
        limiter.completed();
        assertThat(limiter.row()).as("the next execute of the batch is dropped too").isEqualTo(RowVerdict.DROP);
        limiter.completed();
        limiter.ready();
        assertThat(limiter.discarding()).isFalse();
        assertThat(limiter.inspecting()).isFalse();
    }

    @Test
    void anErrorSkipsTheRestOfTheBatchUpToItsSync() {
        limiter.parse("s", TWO, java.util.List.of(), null);
        limiter.bind("a", "s");
        limiter.execute("a");
        limiter.execute("a");
        limiter.sync();
        limiter.error();
        assertThat(limiter.inspecting()).as("both executes of the failed batch are done").isFalse();
        limiter.ready();
        limiter.query(null, java.util.List.of(), null);
        assertThat(limiter.row()).isEqualTo(RowVerdict.FORWARD);
    }

    @Test
    void aShadowLimitForwardsEverythingAndReportsOnce() {
        limiter.query(TWO_SHADOW, java.util.List.of(), null);
        for (int i = 0; i < 4; i++) {
            assertThat(limiter.row()).isEqualTo(RowVerdict.FORWARD);
        }
        assertThat(limiter.takeExceededShadow()).isEqualTo(TWO_SHADOW);
        assertThat(limiter.takeExceededShadow()).isNull();
        assertThat(limiter.truncationNotice(false)).isNull();
    }
}
