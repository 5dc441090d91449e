package dev.parapet.policy;

import static org.assertj.core.api.Assertions.assertThat;

/** Shorthands for the analyzer tests: analyse and insist on the outcome. */
final class AnalysisAssertions {

    private AnalysisAssertions() {
    }

    static StatementAnalysis.Analyzed analyzed(SqlAnalyzer analyzer, String sql) {
        StatementAnalysis analysis = analyzer.analyze(sql);
        if (analysis instanceof StatementAnalysis.Unparseable unparseable) {
            throw new AssertionError("expected an analysis of <" + sql + "> but it was unparseable: " + unparseable.reason());
        }
        return (StatementAnalysis.Analyzed) analysis;
    }

    static StatementInfo only(SqlAnalyzer analyzer, String sql) {
        StatementAnalysis.Analyzed analysis = analyzed(analyzer, sql);
        assertThat(analysis.statements()).as("statements of <%s>", sql).hasSize(1);
        return analysis.statements().get(0);
    }

    static StatementAnalysis.Unparseable unparseable(SqlAnalyzer analyzer, String sql) {
        StatementAnalysis analysis = analyzer.analyze(sql);
        assertThat(analysis).as("analysis of <%s>", sql).isInstanceOf(StatementAnalysis.Unparseable.class);
        return (StatementAnalysis.Unparseable) analysis;
    }

    /** "schema.name" or "name" as a TableName. */
    static TableName table(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? TableName.of(name) : TableName.of(name.substring(0, dot), name.substring(dot + 1));
    }

    static TableName[] tables(String... names) {
        TableName[] out = new TableName[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = table(names[i]);
        }
        return out;
    }
}
