package dev.parapet.core;

import dev.parapet.audit.AuditEvent;
import dev.parapet.audit.AuditFields;
import dev.parapet.audit.AuditPipeline;
import dev.parapet.config.AuditConfig;
import dev.parapet.config.TargetConfig;
import dev.parapet.policy.ColumnRef;
import dev.parapet.policy.Decision;
import dev.parapet.policy.StatementAnalysis;
import dev.parapet.policy.StatementInfo;
import dev.parapet.policy.TableName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what happens in sessions into audit events, the same way for every protocol, and hands
 * them to the {@link AuditPipeline}: one event per connection attempt (accepted or refused), per
 * statement (with its decision and outcome), and per disconnect.
 *
 * <p>It also answers whether a target may go on: a fail-closed target refuses new logins and
 * statements while the pipeline cannot keep events ({@link #refusal}).
 */
public final class AuditTrail {

    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    /** Statement shapes whose attributes are kept; past it the cache starts again. */
    private static final int SHAPES_KEPT = 8192;

    private final AuditPipeline pipeline;
    private final String instance;
    private final AuditConfig.StatementText text;
    private final Clock clock;
    /** What events say of a statement shape, worked out once per analysis (analyses are cached per shape). */
    private final Map<AnalysisKey, AuditEvent.Fragment> shapes = new ConcurrentHashMap<>();
    private volatile long lastLossLogged;

    public AuditTrail(AuditPipeline pipeline, String instance, AuditConfig.StatementText text, Clock clock) {
        this.pipeline = pipeline;
        this.instance = instance;
        this.text = text;
        this.clock = clock;
    }

    /** A trail that records nothing and never refuses. */
    public static AuditTrail off() {
        return new AuditTrail(AuditPipeline.none(), "parapet", AuditConfig.StatementText.REDACTED, Clock.systemUTC());
    }

    public boolean enabled() {
        return pipeline.enabled();
    }

    public AuditPipeline pipeline() {
        return pipeline;
    }

    /**
     * Why {@code target} must refuse what it is asked now, if it must: it is fail-closed and the
     * audit pipeline cannot keep events.
     */
    public Optional<String> refusal(TargetConfig target) {
        if (target == null || target.audit() != AuditConfig.Guarantee.FAIL_CLOSED || !pipeline.enabled()
                || pipeline.canRecord()) {
            return Optional.empty();
        }
        return Optional.of("the audit trail cannot record anything right now, and target \"" + target.name()
                + "\" refuses what it cannot audit (audit: fail-closed)");
    }

    // ---- events -------------------------------------------------------------------------------

    /** The events of one session that logged in; what they say of the session is worked out once. */
    public Session session(SessionFacts facts) {
        return new Session(facts, AuditEvent.Fragment.of(event -> sessionAttributes(event, facts)));
    }

    /** A connection attempt refused: a bad token, an access rule, a target that cannot be reached, ... */
    public void refused(SessionFacts session, String code, String reason) {
        if (!enabled()) {
            return;
        }
        AuditEvent.Builder event = AuditEvent.builder(AuditFields.CONNECT, clock.instant())
                .session(Long.toString(session.sessionId()));
        sessionAttributes(event, session);
        record(event.put(AuditFields.OUTCOME, "refused").put(AuditFields.STATUS_CODE, code).put(AuditFields.ERROR_TYPE, code)
                .put(AuditFields.REASON, reason));
    }

    /** The audit events of one logged-in session. */
    public final class Session {
        private final SessionFacts facts;
        private final AuditEvent.Fragment shared;
        private final String id;

        private Session(SessionFacts facts, AuditEvent.Fragment shared) {
            this.facts = facts;
            this.shared = shared;
            this.id = Long.toString(facts.sessionId());
        }

        public SessionFacts facts() {
            return facts;
        }

        private AuditEvent.Builder event(String name) {
            return AuditEvent.builder(name, clock.instant()).session(id).with(shared);
        }

        /** The login succeeded and reached its target. */
        public void connected() {
            if (enabled()) {
                record(event(AuditFields.CONNECT).put(AuditFields.OUTCOME, "accepted"));
            }
        }

        /** The session ended. */
        public void disconnected(long startedNanos, long statements, String reason) {
            if (enabled()) {
                record(event(AuditFields.DISCONNECT)
                        .put(AuditFields.SESSION_DURATION_MS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos))
                        .put(AuditFields.SESSION_STATEMENTS, statements).put(AuditFields.REASON, reason));
            }
        }

        /**
         * A step of an approval request made in this session: requested, approved, rejected,
         * expired, executed; {@code by} names who decided, when someone did.
         */
        public void approval(String step, Approvals.Request request, String by, String detail) {
            if (!enabled()) {
                return;
            }
            AuditEvent.Builder event = event(AuditFields.APPROVAL).put(AuditFields.APPROVAL_ID, request.id())
                    .put(AuditFields.APPROVAL_STEP, step).put(AuditFields.APPROVER, by).put(AuditFields.RULE, request.ruleId())
                    .put(AuditFields.DECISION_REASON, detail == null ? request.reason() : detail)
                    .put(AuditFields.DECISION, switch (step) {
                        case "requested", "notified" -> "held";
                        case "approved", "executed" -> "approved";
                        case "rejected" -> "rejected";
                        case "withdrawn" -> "withdrawn";
                        default -> "expired";
                    });
            if (text != AuditConfig.StatementText.NONE) {
                event.put(AuditFields.QUERY_TEXT, text == AuditConfig.StatementText.FULL ? request.fullText() : request.redactedText());
            }
            record(event);
        }

        /** A statement, once decided (a refusal) or once the database answered it. */
        public void statement(AuditedStatement statement) {
            if (!enabled()) {
                return;
            }
            AuditEvent.Builder event = event(AuditFields.STATEMENT);
            StatementAnalysis analysis = statement.analysis;
            if (analysis != null) {
                event.with(shape(analysis));
            }
            event.put(AuditFields.QUERY_PROTOCOL, statement.queryProtocol);
            if (analysis != null && text == AuditConfig.StatementText.FULL) {
                event.put(AuditFields.QUERY_TEXT, statement.sql);
            }
            decision(event, statement);
            if (statement.transaction > 0) {
                event.put(AuditFields.TRANSACTION, statement.transaction);
            }
            if (!statement.refused()) {
                event.put(AuditFields.COMMAND_TAGS, statement.tags);
                if (statement.anyRowsReturned) {
                    event.put(AuditFields.ROWS_RETURNED, statement.rowsReturned);
                }
                if (statement.rowsAffected > 0) {
                    event.put(AuditFields.ROWS_AFFECTED, statement.rowsAffected);
                }
                event.put(AuditFields.DURATION_MS, (System.nanoTime() - statement.startNanos) / 1_000_000.0);
                if (statement.errorCode != null) {
                    event.put(AuditFields.STATUS_CODE, statement.errorCode).put(AuditFields.ERROR_TYPE, statement.errorCode)
                            .put(AuditFields.ERROR_MESSAGE, statement.errorMessage);
                }
            }
            record(event);
        }
    }

    /** An analysis compared by identity: analyses are shared per query shape already. */
    private record AnalysisKey(StatementAnalysis analysis) {
        @Override
        public boolean equals(Object other) {
            return other instanceof AnalysisKey that && that.analysis == analysis;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(analysis);
        }
    }

    /** What the events of statements of one shape say of it: kind, text, fingerprint, tables and columns. */
    private AuditEvent.Fragment shape(StatementAnalysis analysis) {
        AnalysisKey key = new AnalysisKey(analysis);
        AuditEvent.Fragment known = shapes.get(key);
        if (known != null) {
            return known;
        }
        if (shapes.size() >= SHAPES_KEPT) {
            shapes.clear();
        }
        AuditEvent.Fragment fragment = AuditEvent.Fragment.of(event -> shapeAttributes(event, analysis));
        shapes.put(key, fragment);
        return fragment;
    }

    private void shapeAttributes(AuditEvent.Builder event, StatementAnalysis analysis) {
        if (analysis instanceof StatementAnalysis.Analyzed analyzed) {
            List<StatementInfo> statements = analyzed.statements();
            if (statements.size() == 1) {
                event.put(AuditFields.OPERATION, statements.get(0).kind().name());
            } else if (statements.size() > 1) {
                event.put(AuditFields.OPERATION, "BATCH").put(AuditFields.BATCH_SIZE, statements.size())
                        .put(AuditFields.OPERATIONS, statements.stream().map(st -> st.kind().name()).toList());
            }
        } else if (analysis instanceof StatementAnalysis.Unparseable) {
            event.put(AuditFields.OPERATION, "UNREADABLE");
        }
        if (text == AuditConfig.StatementText.REDACTED) {
            event.put(AuditFields.QUERY_TEXT, analysis.fingerprint());
        }
        event.put(AuditFields.FINGERPRINT, fingerprintId(analysis.fingerprint()));
        if (analysis instanceof StatementAnalysis.Analyzed analyzed) {
            Set<String> read = new LinkedHashSet<>();
            Set<String> written = new LinkedHashSet<>();
            Set<String> columns = new LinkedHashSet<>();
            for (StatementInfo info : analyzed.executedStatements()) {
                info.tablesRead().forEach(t -> read.add(t.toString()));
                info.tablesWritten().forEach(t -> written.add(t.toString()));
                for (Map.Entry<TableName, Set<String>> used : info.columnsUsed().entrySet()) {
                    for (String column : used.getValue()) {
                        if (columns.size() < 256 && !column.equals(StatementInfo.WHOLE_ROW)) {
                            columns.add(new ColumnRef(used.getKey(), column).toString());
                        }
                    }
                }
            }
            event.put(AuditFields.TABLES_READ, List.copyOf(read)).put(AuditFields.TABLES_WRITTEN, List.copyOf(written))
                    .put(AuditFields.COLUMNS, List.copyOf(columns));
        }
    }

    private static void decision(AuditEvent.Builder event, AuditedStatement statement) {
        switch (statement.decision) {
            case null -> event.put(AuditFields.DECISION, "allowed");
            case Decision.Allow allow -> {
                if (!allow.shadowed().isEmpty()) {
                    event.put(AuditFields.DECISION, "shadow-denied")
                            .put(AuditFields.SHADOW_RULES, allow.shadowed().stream().map(Decision.Verdict::ruleId).toList())
                            .put(AuditFields.DECISION_REASON, allow.shadowed().get(0).reason());
                } else {
                    event.put(AuditFields.DECISION, "allowed");
                }
                allow.rowLimit().ifPresent(limit -> event.put(AuditFields.ROW_LIMIT, (long) limit.rows()));
                event.put(AuditFields.HIDDEN_COLUMNS, allow.hiddenColumns());
                if (statement.maskingRule != null) {
                    event.put(AuditFields.MASKING_RULE, statement.maskingRule);
                }
                event.put(AuditFields.MASKED_COLUMNS, List.copyOf(statement.masked));
            }
            case Decision.Deny deny -> event.put(AuditFields.DECISION, "denied").put(AuditFields.RULE, deny.ruleId())
                    .put(AuditFields.DECISION_REASON, deny.message()).put(AuditFields.STATUS_CODE, deny.sqlState());
            case Decision.RequireApproval approval -> event.put(AuditFields.DECISION, "approval-required")
                    .put(AuditFields.RULE, approval.ruleId()).put(AuditFields.DECISION_REASON, approval.reason());
        }
    }

    private void sessionAttributes(AuditEvent.Builder event, SessionFacts session) {
        event.put(AuditFields.INSTANCE, instance);
        Identity identity = session.identity();
        if (identity != null) {
            event.put(AuditFields.USER_ID, identity.subject()).put(AuditFields.USER_NAME, identity.name())
                    .put(AuditFields.USER_EMAIL, identity.email())
                    .put(AuditFields.USER_ROLES, identity.groups().stream().sorted().toList())
                    .put(AuditFields.IDENTITY_KIND, identity.kind().name().toLowerCase(Locale.ROOT))
                    .put(AuditFields.IDENTITY_ISSUER, identity.issuer());
        } else {
            event.put(AuditFields.USER_NAME, session.claimedUser());
        }
        if (session.client() != null) {
            event.put(AuditFields.CLIENT_ADDRESS, session.client().getAddress() == null ? session.client().getHostString()
                    : session.client().getAddress().getHostAddress()).put(AuditFields.CLIENT_PORT, session.client().getPort());
        }
        event.put(AuditFields.CLIENT_APPLICATION, session.application());
        TargetConfig target = session.target();
        if (target != null) {
            event.put(AuditFields.TARGET, target.name()).put(AuditFields.ENVIRONMENT, target.environment())
                    .put(AuditFields.DB_SYSTEM, target.protocol() == TargetConfig.Protocol.MYSQL ? "mysql" : "postgresql");
        }
        event.put(AuditFields.DB_NAMESPACE, session.database()).put(AuditFields.PROTOCOL, session.protocol());
    }

    private void record(AuditEvent.Builder builder) {
        AuditEvent event = builder.build();
        // made into JSON here, where its parts are still in this core's cache: the sinks' threads
        // then read one array instead of chasing the event's objects
        event.json();
        if (!pipeline.record(event)) {
            long now = System.nanoTime();
            if (now - lastLossLogged > TimeUnit.SECONDS.toNanos(10)) {
                lastLossLogged = now;
                log.error("audit events are being lost: {}", pipeline.problem());
            }
        }
    }

    /** A short stable id for a statement shape: the first 16 hex digits of the SHA-256 of its fingerprint. */
    private static String fingerprintId(String fingerprint) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(fingerprint.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
