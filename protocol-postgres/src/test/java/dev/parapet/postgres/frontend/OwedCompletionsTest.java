package dev.parapet.postgres.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OwedCompletionsTest {

    private final OwedCompletions owed = new OwedCompletions();
    private final List<String> done = new ArrayList<>();

    @Test
    void holdsBackOnlyTheAnswersToTheGatewaysOwnMessagesInOrder() {
        owed.client(() -> done.add("client parse"), () -> done.add("client parse skipped"));
        owed.gateway(null, null);                                  // the gateway's Close
        owed.gateway(() -> done.add("gateway parse"), null);
        owed.client(null, null);                                   // the client's Close
        owed.end();
        assertThat(owed.answersGateway()).isFalse();
        assertThat(owed.answersGateway()).isTrue();
        assertThat(owed.answersGateway()).isTrue();
        assertThat(owed.answersGateway()).isFalse();
        owed.ready();
        assertThat(done).containsExactly("client parse", "gateway parse");
        assertThat(owed.answersGateway()).as("nothing is owed any more").isFalse();
    }

    @Test
    void settlesWhatABatchOwedAsSkippedWhenAnErrorMadeTheServerSkipToItsEnd() {
        owed.client(() -> done.add("first"), () -> done.add("first skipped"));
        owed.gateway(() -> done.add("replacement"), () -> done.add("replacement skipped"));
        owed.end();
        owed.client(() -> done.add("next batch"), () -> done.add("next batch skipped"));
        owed.end();
        assertThat(owed.answersGateway()).isFalse(); // the client's Parse; then an error: nothing more until ReadyForQuery
        owed.ready();
        assertThat(owed.answersGateway()).as("the next batch's Parse is the client's").isFalse();
        owed.ready();
        assertThat(done).containsExactly("first", "replacement skipped", "next batch");
    }

    @Test
    void letsAnUnexpectedAnswerThrough() {
        assertThat(owed.answersGateway()).isFalse();
        owed.end();
        assertThat(owed.answersGateway()).isFalse();
    }
}
