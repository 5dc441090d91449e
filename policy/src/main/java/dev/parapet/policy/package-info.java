/**
 * SQL analysis and guardrail policy: turns a statement into an analysis and an analysis plus an
 * identity into a decision. Knows nothing of wire protocols.
 *
 * <p>Public surface of the SQL analysis: {@link dev.parapet.policy.SqlAnalyzer} (one per
 * {@link dev.parapet.policy.Dialect}), which returns a {@link dev.parapet.policy.StatementAnalysis}
 * ({@link dev.parapet.policy.StatementAnalysis.Analyzed} or
 * {@link dev.parapet.policy.StatementAnalysis.Unparseable}) holding one
 * {@link dev.parapet.policy.StatementInfo} per statement, described with
 * {@link dev.parapet.policy.StatementKind}, {@link dev.parapet.policy.TableName},
 * {@link dev.parapet.policy.WhereClause} and {@link dev.parapet.policy.ServerAccess}, and the
 * lineage of the rows it returns, {@link dev.parapet.policy.OutputColumn} and
 * {@link dev.parapet.policy.ColumnRef}. Everything else (lexer, splitter, fingerprinting, cache,
 * classifier, JSqlParser bridge, lineage walk) is package-private.
 *
 * <p>Public surface of the policy: {@link dev.parapet.policy.PolicyEngine} decides on a
 * {@link dev.parapet.policy.PolicyRequest} (a {@link dev.parapet.policy.Principal}, a target and
 * an analysis) with an ordered list of {@link dev.parapet.policy.Rule}s, each limited by a
 * {@link dev.parapet.policy.RuleScope}, and returns a {@link dev.parapet.policy.Decision}. A scope
 * may carry a {@link dev.parapet.policy.Condition} (a CEL {@code when:} expression, which
 * {@link dev.parapet.policy.InvalidConditionException} reports as not compiling) and a
 * {@link dev.parapet.policy.Refusal} (the SQLSTATE, message and hint a rule refuses with). A
 * {@link dev.parapet.policy.RowLimit} caps the rows of an allowed statement.
 *
 * <p>Public surface of policy tests: {@link dev.parapet.policy.PolicyTestRunner} runs the test
 * cases written beside a policy ({@code *_test.yaml}) and returns one
 * {@link dev.parapet.policy.PolicyTestResult} per case.
 */
package dev.parapet.policy;
