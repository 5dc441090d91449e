package dev.parapet.policy;

/**
 * How one policy test case came out.
 *
 * @param file the test file, as the folder was given
 * @param line where the case starts in it
 * @param name the case's name
 * @param passed whether the decision met every expectation of the case
 * @param expected the expectation in one line, e.g. {@code deny by where-required}
 * @param actual the decision in the same words, followed by its message when it has one
 * @param decision the decision itself
 */
public record PolicyTestResult(String file, int line, String name, boolean passed, String expected, String actual,
        Decision decision) {
}
