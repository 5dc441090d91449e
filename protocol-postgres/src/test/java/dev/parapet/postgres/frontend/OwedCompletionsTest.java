package dev.parapet.postgres.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OwedCompletionsTest {

    private final OwedCompletions owed = new OwedCompletions();

    @Test
    void holdsBackOnlyTheAnswersToTheGatewaysOwnMessagesInOrder() {
        owed.client();  // the client's Parse
        owed.gateway(); // the gateway's Close
        owed.gateway(); // the gateway's Parse
        owed.client();  // the client's Close
        owed.end();
        assertThat(owed.answersGateway()).isFalse();
        assertThat(owed.answersGateway()).isTrue();
        assertThat(owed.answersGateway()).isTrue();
        assertThat(owed.answersGateway()).isFalse();
        owed.ready();
        assertThat(owed.answersGateway()).as("nothing is owed any more").isFalse();
    }

    @Test
    void forgetsWhatABatchOwedWhenAnErrorMadeTheServerSkipToItsEnd() {
        owed.client();
        owed.gateway();
        owed.gateway();
        owed.end();
        owed.client(); // the next batch
        owed.end();
        assertThat(owed.answersGateway()).isFalse(); // the client's Parse; then an error: nothing more until ReadyForQuery
        owed.ready();
        assertThat(owed.answersGateway()).as("the next batch's Parse is the client's").isFalse();
        owed.ready();
        owed.gateway();
        owed.end();
        assertThat(owed.answersGateway()).isTrue();
    }

    @Test
    void letsAnUnexpectedAnswerThrough() {
        assertThat(owed.answersGateway()).isFalse();
        owed.end();
        assertThat(owed.answersGateway()).isFalse();
    }
}
