package dev.parapet.policy;

import java.util.List;

/** A {@code when:} expression that does not compile; one problem per entry, each saying where. */
public final class InvalidConditionException extends Exception {

    private final List<String> problems;

    public InvalidConditionException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
