package dev.parapet.server;

import dev.parapet.config.ConfigException;
import dev.parapet.policy.Decision;
import dev.parapet.policy.Dialect;
import dev.parapet.policy.PolicyEngine;
import dev.parapet.policy.PolicyLoader;
import dev.parapet.policy.PolicyRequest;
import dev.parapet.policy.Principal;
import dev.parapet.policy.Rule;
import dev.parapet.policy.SqlAnalyzer;
import dev.parapet.policy.StatementAnalysis;
import dev.parapet.policy.StatementInfo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code parapet policy ...}: work with guardrail policy files without running a gateway. */
@Command(name = "policy", description = "Work with guardrail policy files.",
        subcommands = {PolicyCommand.Check.class, PolicyCommand.Explain.class, PolicyTestCommand.class,
                CommandLine.HelpCommand.class})
final class PolicyCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    static List<Rule> load(Path policies) {
        try {
            return new PolicyLoader().load(policies);
        } catch (ConfigException e) {
            e.errors().forEach(System.err::println);
            return null;
        }
    }

    @Command(name = "check", description = "Validate policy files; print each error with its file and line.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "PATH", description = "A policy file or folder.")
        Path policies;

        @Override
        public Integer call() {
            List<Rule> rules = load(policies);
            if (rules == null) {
                return Main.INVALID;
            }
            System.out.println(policies + ": OK (" + rules.size() + " rule(s))");
            return 0;
        }
    }

    @Command(name = "explain", description = "Show how a statement is analysed and what each rule says about it.")
    static final class Explain implements Callable<Integer> {
        @Option(names = "--policies", required = true, description = "A policy file or folder.")
        Path policies;

        @Option(names = "--identity", defaultValue = "someone", description = "The identity's subject (default: ${DEFAULT-VALUE}).")
        String identity;

        @Option(names = "--groups", split = ",", description = "The identity's groups, comma-separated.")
        List<String> groups = List.of();

        @Option(names = "--name", description = "The identity's display name, for when: conditions.")
        String name;

        @Option(names = "--email", description = "The identity's email, for when: conditions.")
        String email;

        @Option(names = "--issuer", description = "Who issued the identity's credential, for when: conditions.")
        String issuer;

        @Option(names = "--service", description = "The identity is a workload, not a person.")
        boolean service;

        @Option(names = "--target", required = true, description = "The target's name.")
        String target;

        @Option(names = "--environment", description = "The target's environment (default: the target's name).")
        String environment;

        @Option(names = "--dialect", defaultValue = "POSTGRES", description = "POSTGRES or MYSQL (default: ${DEFAULT-VALUE}).")
        Dialect dialect;

        @Parameters(paramLabel = "SQL", description = "The statement(s), as the client would send them.")
        String sql;

        @Override
        public Integer call() {
            List<Rule> rules = load(policies);
            if (rules == null) {
                return Main.INVALID;
            }
            PrintStream out = System.out;
            StatementAnalysis analysis = new SqlAnalyzer(dialect).analyze(sql);
            out.println("fingerprint: " + analysis.fingerprint());
            switch (analysis) {
                case StatementAnalysis.Unparseable u -> out.println("cannot analyse: " + u.reason());
                case StatementAnalysis.Analyzed a -> {
                    if (a.multiStatement()) {
                        out.println("several statements in one string");
                    }
                    for (StatementInfo s : a.executedStatements()) {
                        out.println("statement: " + s.kind() + (s.objectType().isEmpty() ? "" : " " + s.objectType())
                                + "  reads " + s.tablesRead() + "  writes " + s.tablesWritten() + "  where " + s.where()
                                + (s.functions().isEmpty() ? "" : "  calls " + s.functions())
                                + (s.serverAccess().isEmpty() ? "" : "  server " + s.serverAccess()));
                        for (var column : s.outputColumns()) {
                            out.println("  column " + column.label() + ": " + column.kind().name().toLowerCase(java.util.Locale.ROOT)
                                    + (column.sources().isEmpty() ? "" : " of " + column.sources())
                                    + (column.wholeRows().isEmpty() ? "" : " with whole rows of " + column.wholeRows())
                                    + (column.starOf().isEmpty() ? "" : " over " + column.starOf()));
                        }
                    }
                }
            }
            Principal principal = new Principal(identity, name, email, Set.copyOf(groups),
                    service ? Principal.Kind.SERVICE : Principal.Kind.HUMAN, issuer);
            PolicyRequest request = new PolicyRequest(principal, target, environment == null ? target : environment, dialect,
                    analysis);
            out.println("rules:");
            for (Rule rule : rules) {
                Decision alone = new PolicyEngine(List.of(rule)).decide(request);
                String verdict = switch (alone) {
                    case Decision.Deny d -> analysis instanceof StatementAnalysis.Unparseable ? "-" : "DENY: " + d.message();
                    case Decision.RequireApproval r -> "APPROVAL: " + r.reason();
                    case Decision.Allow a -> !a.shadowed().isEmpty() ? "would deny (shadow): " + a.shadowed().get(0).reason()
                            : a.rowLimit().isPresent() ? "at most " + a.rowLimit().get().rows() + " rows"
                            : !a.hiddenColumns().isEmpty() ? "removes " + a.hiddenColumns() + " from the result"
                            : a.masking().isPresent() ? "masks the results" : "no objection";
                };
                out.println("  " + rule.id() + ": " + verdict);
            }
            Decision decision = new PolicyEngine(rules).decide(request);
            out.println("decision: " + switch (decision) {
                case Decision.Allow a -> "ALLOW"
                        + a.rowLimit().map(l -> ", at most " + l.rows() + " rows (" + l.ruleId() + ")").orElse("")
                        + (a.hiddenColumns().isEmpty() ? "" : ", without " + a.hiddenColumns())
                        + a.masking().map(m -> ", results masked (" + m.ruleId() + ")").orElse("");
                case Decision.Deny d -> "DENY by " + d.ruleId() + " (SQLSTATE " + d.sqlState() + "): " + d.message();
                case Decision.RequireApproval r -> "REQUIRE APPROVAL by " + r.ruleId() + ": " + r.reason();
            });
            return 0;
        }
    }
}
