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
        owed.client(() -> done.add("client parse"));
        owed.gateway(null);                            // the gateway's Close
        owed.gateway(() -> done.add("gateway parse"));
        owed.client(null);                             // the client's Close
        owed.end();
        assertThat(owed.answersGateway()).isFalse();
        assertThat(owed.answersGateway()).isTrue();
        assertThat(owed.answersGateway()).isTrue();
        assertThat(owed.answersGateway()).isFalse();
        assertThat(done).containsExactly("client parse", "gateway parse");
        owed.ready();
        assertThat(owed.answersGateway()).as("nothing is owed any more").isFalse();
    }

    @Test
    void forgetsWhatABatchOwedWhenAnErrorMadeTheServerSkipToItsEnd() {
        owed.client(null);
        owed.gateway(() -> done.add("skipped"));
        owed.gateway(() -> done.add("skipped"));
        owed.end();
        owed.client(() -> done.add("next batch"));
        owed.end();
        assertThat(owed.answersGateway()).isFalse(); // the client's Parse; then an error: nothing more until ReadyForQuery
        owed.ready();
        assertThat(owed.answersGateway()).as("the next batch's Parse is the client's").isFalse();
        owed.ready();
        assertThat(done).containsExactly("next batch");
    }

    @Test
    void letsAnUnexpectedAnswerThrough() {
        assertThat(owed.answersGateway()).isFalse();
        owed.end();
        assertThat(owed.answersGateway()).isFalse();
    }
}
