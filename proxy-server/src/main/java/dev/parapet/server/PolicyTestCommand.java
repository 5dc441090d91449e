package dev.parapet.server;

import dev.parapet.config.ConfigException;
import dev.parapet.policy.PolicyTestResult;
import dev.parapet.policy.PolicyTestRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parapet policy test DIR}: runs the test cases kept beside a policy ({@code *_test.yaml})
 * and says which decisions differ from what the tests expect. Exit 0 when every case passes, 1
 * when one fails, 2 when the policy or a test file does not load.
 */
@Command(name = "test", description = "Run the policy's own test cases (*_test.yaml in the policy folder).")
final class PolicyTestCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", description = "The policy folder, holding the policy files and their *_test.yaml files.")
    Path folder;

    @Option(names = {"-v", "--verbose"}, description = "Print every case, not only those that fail.")
    boolean verbose;

    @Override
    public Integer call() {
        List<PolicyTestResult> results;
        try {
            results = new PolicyTestRunner().run(folder);
        } catch (ConfigException e) {
            e.errors().forEach(System.err::println);
            return Main.INVALID;
        }
        PrintStream out = System.out;
        long failed = 0;
        for (PolicyTestResult result : results) {
            String where = result.file() + ":" + result.line() + ": " + result.name() + ": ";
            if (!result.passed()) {
                failed++;
                out.println("FAIL " + where + "expected " + result.expected() + "; got " + result.actual());
            } else if (verbose) {
                out.println("ok   " + where + result.actual());
            }
        }
        out.println((results.size() - failed) + " passed, " + failed + " failed");
        return failed == 0 ? 0 : Main.FAILED;
    }
}
