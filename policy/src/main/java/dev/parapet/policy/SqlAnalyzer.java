package dev.parapet.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns one SQL string, as a client sent it, into a {@link StatementAnalysis}: what each statement
 * in it is, which tables it reads and writes, which columns and functions it uses. It is the only
 * way guardrail policy learns what a query does.
 *
 * <p>It is a hybrid. A hand-written lexer with the target's lexical rules splits the string into
 * statements exactly where the server will, computes each statement's literal-free fingerprint,
 * and classifies the utility statements JSqlParser does not read (COPY, DO, PREPARE, EXPLAIN
 * ANALYZE, ...); JSqlParser reads queries and DML. Analyses are cached by fingerprint in a bounded
 * LRU cache, so the parser runs once per query shape and a repeated shape costs a lexer pass and a
 * map look-up. A statement neither part can read makes the string {@link StatementAnalysis.Unparseable}.
 *
 * <p>Because analyses are shared by every statement of a shape, nothing in one may depend on a
 * literal's value. The one place that could is "is this WHERE trivially true": {@code WHERE 1=1}
 * and {@code WHERE id=1} differ only in a literal where a column was. The analyzer does not
 * evaluate literals; it asks whether the condition depends on the row at all. {@code 1=1},
 * {@code 1=2}, {@code 'a'='a'}, {@code true}, a bare literal or parameter, {@code x = x}, or any of
 * these as a top-level OR branch restrict nothing a policy could rely on and are
 * {@link WhereClause#TRIVIAL}; {@code id=1} mentions a column and is {@link WhereClause#PRESENT}.
 * Both answers are the same for every literal value, so caching them is sound.
 *
 * <p>Thread-safe: one instance per dialect serves every session.
 */
public final class SqlAnalyzer {

    /** Query shapes remembered when no size is given. */
    public static final int DEFAULT_CACHE_SIZE = 10_000;

    /** How long one JSqlParser parse may take before the statement counts as unreadable. */
    public static final Duration DEFAULT_PARSE_TIMEOUT = Duration.ofSeconds(1);

    /** Statements longer than this (after folding literal lists and repeated VALUES rows) are not parsed. */
    static final int MAX_TOKENS = 50_000;

    private final Dialect dialect;
    private final ShapeCache<Object> cache;
    private final StatementClassifier classifier;

    /** An analyzer for {@code dialect} with the default cache size and parse timeout. */
    public SqlAnalyzer(Dialect dialect) {
        this(dialect, DEFAULT_CACHE_SIZE, DEFAULT_PARSE_TIMEOUT);
    }

    /** An analyzer for {@code dialect} remembering up to {@code cacheSize} query shapes. */
    public SqlAnalyzer(Dialect dialect, int cacheSize) {
        this(dialect, cacheSize, DEFAULT_PARSE_TIMEOUT);
    }

    /**
     * An analyzer for {@code dialect} remembering up to {@code cacheSize} query shapes, giving up on
     * a statement whose parse takes longer than {@code parseTimeout}.
     */
    public SqlAnalyzer(Dialect dialect, int cacheSize, Duration parseTimeout) {
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        if (parseTimeout.isNegative() || parseTimeout.isZero()) {
            throw new IllegalArgumentException("the parse timeout must be positive");
        }
        this.cache = new ShapeCache<>(cacheSize);
        this.classifier = new StatementClassifier(dialect, new ParsedStatementAnalyzer(dialect, parseTimeout.toMillis()));
    }

    public Dialect dialect() {
        return dialect;
    }

    /** How many query shapes the cache holds now. */
    public int cachedShapes() {
        return cache.size();
    }

    /** The analysis of {@code sql}, which may hold several statements separated by semicolons. */
    public StatementAnalysis analyze(String sql) {
        Objects.requireNonNull(sql, "sql");
        Tokens tokens;
        List<StatementSplitter.Range> ranges;
        try {
            tokens = SqlLexer.lex(sql, dialect);
            ranges = StatementSplitter.split(tokens);
        } catch (SqlLexer.LexException e) {
            return new StatementAnalysis.Unparseable(e.getMessage(), "");
        }
        List<Shape> shapes = new ArrayList<>(ranges.size());
        for (StatementSplitter.Range range : ranges) {
            Shape shape = Shape.of(tokens, range.from(), range.to());
            shape.cacheKey(); // renders the fingerprint and the key in one pass
            shapes.add(shape);
        }
        String fingerprint = fingerprint(shapes);
        if (tokens.settingSensitive && readsDifferentlyUnderOtherSettings(sql, fingerprint)) {
            return new StatementAnalysis.Unparseable(dialect == Dialect.POSTGRES
                    ? "a backslash in a string literal makes the text read differently when standard_conforming_strings is off"
                    : "a backslash in a string literal makes the text read differently when NO_BACKSLASH_ESCAPES is set",
                    fingerprint);
        }
        if (tokens.versionGated && readsDifferentlyOnOtherServers(sql, fingerprint)) {
            return new StatementAnalysis.Unparseable("an executable comment that only some servers run"
                    + " (/*!NNNNN above 5.7, or /*M!) changes what the statement does", fingerprint);
        }
        List<StatementInfo> statements = new ArrayList<>(shapes.size());
        for (int i = 0; i < shapes.size(); i++) {
            Shape shape = shapes.get(i);
            String key = shape.cacheKey();
            Object analysis = cache.get(key);
            if (analysis == null) {
                analysis = analyzeShape(shape);
                if (analysis instanceof StatementInfo info) {
                    // kept as the analysis of a string of this one statement, which most strings are
                    analysis = new StatementAnalysis.Analyzed(List.of(info), false, shape.fingerprint());
                }
                cache.put(key, analysis);
            }
            if (analysis instanceof String reason) {
                return new StatementAnalysis.Unparseable(
                        shapes.size() > 1 ? "statement " + (i + 1) + " of " + shapes.size() + ": " + reason : reason,
                        fingerprint);
            }
            StatementAnalysis.Analyzed single = (StatementAnalysis.Analyzed) analysis;
            if (shapes.size() == 1 && single.fingerprint().equals(fingerprint)) {
                // the same object for every string of this shape: what is worked out from it can be kept by identity
                return single;
            }
            statements.add(single.statements().get(0));
        }
        return new StatementAnalysis.Analyzed(statements, statements.size() > 1, fingerprint);
    }

    /** The analysis of one statement, or the reason it cannot be read. Never throws: anything unexpected is a reason. */
    private Object analyzeShape(Shape shape) {
        if (shape.size() > MAX_TOKENS) {
            return "the statement has more than " + MAX_TOKENS + " tokens once literal lists are folded; it is not analysed";
        }
        try {
            return classifier.classify(shape);
        } catch (UnreadableStatementException e) {
            return e.getMessage();
        } catch (SqlLexer.LexException e) {
            return e.getMessage();
        } catch (RuntimeException | StackOverflowError e) {
            return "the analyzer failed on this statement (" + e.getClass().getSimpleName() + ")";
        }
    }

    /**
     * Whether the server could split or read {@code sql} differently if the session changed
     * standard_conforming_strings (PostgreSQL) or NO_BACKSLASH_ESCAPES (MySQL): true when the other
     * reading is also valid and yields another fingerprint. A reading that does not even lex is not
     * a risk, since the server would reject it.
     */
    private boolean readsDifferentlyUnderOtherSettings(String sql, String fingerprint) {
        try {
            Tokens other = SqlLexer.lex(sql, dialect, true);
            List<Shape> shapes = new ArrayList<>();
            for (StatementSplitter.Range range : StatementSplitter.split(other)) {
                shapes.add(Shape.of(other, range.from(), range.to()));
            }
            return !fingerprint(shapes).equals(fingerprint);
        } catch (SqlLexer.LexException e) {
            return false;
        }
    }

    /**
     * Whether a MySQL server that skips the version-gated executable comments of {@code sql} reads
     * it otherwise: true when that reading yields another fingerprint, or does not lex, since the
     * server skips such a comment up to its first {@code *}{@code /} whatever the code in it holds.
     */
    private boolean readsDifferentlyOnOtherServers(String sql, String fingerprint) {
        try {
            Tokens other = SqlLexer.lexSkippingGatedComments(sql, dialect);
            List<Shape> shapes = new ArrayList<>();
            for (StatementSplitter.Range range : StatementSplitter.split(other)) {
                shapes.add(Shape.of(other, range.from(), range.to()));
            }
            return !fingerprint(shapes).equals(fingerprint);
        } catch (SqlLexer.LexException e) {
            return true;
        }
    }

    private static String fingerprint(List<Shape> shapes) {
        if (shapes.size() == 1) {
            return shapes.get(0).fingerprint();
        }
        StringBuilder joined = new StringBuilder();
        for (Shape shape : shapes) {
            if (!joined.isEmpty()) {
                joined.append("; ");
            }
            joined.append(shape.fingerprint());
        }
        return joined.toString();
    }
}
