package dev.parapet.postgres.frontend;

import dev.parapet.config.IdentityConfig;
import dev.parapet.config.TargetConfig;
import dev.parapet.core.Approvals;
import dev.parapet.core.AuthenticationException;
import dev.parapet.core.Backpressure;
import dev.parapet.core.Credentials;
import dev.parapet.core.GatewayContext;
import dev.parapet.core.GatewayMetrics;
import dev.parapet.core.Identity;
import dev.parapet.core.MaskPlanner;
import dev.parapet.core.ProtocolSession;
import dev.parapet.core.SessionGovernance;
import dev.parapet.core.StatementGate;
import dev.parapet.core.UpstreamAccount;
import dev.parapet.policy.Decision;
import dev.parapet.policy.Principal;
import dev.parapet.policy.RowLimit;
import dev.parapet.postgres.codec.BackendDecoder;
import dev.parapet.postgres.codec.FrontendDecoder;
import dev.parapet.postgres.codec.FrontendEncoder;
import dev.parapet.postgres.codec.ProtocolException;
import dev.parapet.postgres.message.Authentication;
import dev.parapet.postgres.message.BackendKeyData;
import dev.parapet.postgres.message.BackendMessage;
import dev.parapet.postgres.message.Bind;
import dev.parapet.postgres.message.BoundPortal;
import dev.parapet.postgres.message.CancelRequest;
import dev.parapet.postgres.message.Close;
import dev.parapet.postgres.message.Describe;
import dev.parapet.postgres.message.CloseComplete;
import dev.parapet.postgres.message.CommandComplete;
import dev.parapet.postgres.message.DataRow;
import dev.parapet.postgres.message.EmptyQueryResponse;
import dev.parapet.postgres.message.ErrorResponse;
import dev.parapet.postgres.message.Execute;
import dev.parapet.postgres.message.FrontendMessage;
import dev.parapet.postgres.message.FunctionCall;
import dev.parapet.postgres.message.HeldExecute;
import dev.parapet.postgres.message.GssEncRequest;
import dev.parapet.postgres.message.NegotiateProtocolVersion;
import dev.parapet.postgres.message.NoData;
import dev.parapet.postgres.message.NotificationResponse;
import dev.parapet.postgres.message.ParameterStatus;
import dev.parapet.postgres.message.ParseComplete;
import dev.parapet.postgres.message.Parse;
import dev.parapet.postgres.message.PasswordMessage;
import dev.parapet.postgres.message.PortalSuspended;
import dev.parapet.postgres.message.Query;
import dev.parapet.postgres.message.ReadyForQuery;
import dev.parapet.postgres.message.Relayed;
import dev.parapet.postgres.message.RelayedMessage;
import dev.parapet.postgres.message.RowDescription;
import dev.parapet.postgres.message.SslRequest;
import dev.parapet.postgres.message.StartupMessage;
import dev.parapet.postgres.message.Sync;
import dev.parapet.postgres.message.Terminate;
import dev.parapet.postgres.result.Catalogs;
import dev.parapet.postgres.result.ResultRows;
import dev.parapet.postgres.result.ResultTracker;
import dev.parapet.postgres.result.RowRewrite;
import dev.parapet.postgres.upstream.UpstreamConnector;
import dev.parapet.postgres.upstream.UpstreamEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, from its first byte to its close: TLS negotiation, the startup packet,
 * the password exchange, login through the core's identity resolver, target selection, and the
 * upstream connection; then the relay in both directions. The session and its upstream share one
 * event loop, so its state needs no locks.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements ProtocolSession, UpstreamEvents {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private enum State { AWAIT_STARTUP, AWAIT_PASSWORD, LOGGING_IN, RELAY, CLOSED }

    private final GatewayContext context;
    private final CancelKeys cancelKeys;
    private final UpstreamConnector connector;
    private final AtomicInteger connections;
    private final long id;
    private final RequestTimes requests = new RequestTimes();
    private final ResultTracker results = new ResultTracker();
    private final Catalogs catalogs;
    /** A RowDescription whose columns are being looked up, and the messages that came after it meanwhile. */
    private ByteBuf describing;
    private final ArrayDeque<BackendMessage> heldWhileDescribing = new ArrayDeque<>();
    private boolean waitingForCatalog;
    /** A statement that changes definitions ran since the catalog was last told. */
    private boolean definitionsChanged;
    private final PreparedStatements statements = new PreparedStatements();
    /** The session's statements on their way to the audit trail. */
    private final StatementLog audit;
    private final long startedNanos = System.nanoTime();
    /** Why the session ended, for the audit trail. */
    private String endReason;
    /** A statement waiting for a person's approval, if one is; what the client sends meanwhile waits behind it. */
    private volatile Approvals.Request holding;
    private final ArrayDeque<Object> heldMessages = new ArrayDeque<>();
    private final OwedCompletions completions = new OwedCompletions();
    private boolean watchingBinds;
    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_STARTUP;
    private ScheduledFuture<?> startupTimeout;
    private Map<String, String> startupParameters = Map.of();
    private Identity identity;
    private Principal principal;
    /** What is done with the session's statements before the wire work: set once the target is known. */
    private SessionGovernance governance;
    private ApplicationNameTag applicationName;
    private TargetConfig target;
    private GatewayMetrics.TargetMeters meters;
    private Channel upstream;
    private BackendDecoder upstreamDecoder;
    private long upstreamConnectStart;
    private int clientProcessId;
    private int upstreamProcessId;
    private char transactionStatus = 'I';
    private boolean upstreamSentFatal;
    /** Why the session ends at its next idle point (gateway shutdown, token expiry), if it does. */
    private ErrorResponse endWhenIdle;
    private ScheduledFuture<?> tokenExpiry;

    ClientSession(GatewayContext context, CancelKeys cancelKeys, UpstreamConnector connector, Catalogs catalogs,
            AtomicInteger connections) {
        this.context = context;
        this.audit = new StatementLog(context.audit());
        this.catalogs = catalogs;
        this.cancelKeys = cancelKeys;
        this.connector = connector;
        this.connections = connections;
        this.id = context.sessions().nextId();
    }

    @Override
    public long id() {
        return id;
    }

    // ---- client side -------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        context.metrics().connectionOpened("postgres");
        int open = connections.incrementAndGet();
        if (open > context.config().limits().maxConnections()) {
            context.metrics().loginRefused("postgres", "too_many_connections");
            fatal("53300", "sorry, too many clients already: the gateway allows "
                    + context.config().limits().maxConnections() + " connections");
            return;
        }
        long timeout = context.config().limits().startupTimeout().toMillis();
        startupTimeout = ctx.executor().schedule(() -> {
            if (state != State.RELAY && state != State.CLOSED) {
                context.metrics().clientProtocolError("postgres", "startup_timeout");
                fatal("08P01", "the login did not complete within " + timeout + " ms; closing the connection");
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSED) {
            release(msg);
            return;
        }
        if (holding != null && !(msg instanceof Terminate) && !(msg instanceof CancelRequest)) {
            heldMessages.add(msg); // in order, behind the statement that waits for approval
            return;
        }
        switch ((FrontendMessage) msg) {
            case Relayed m -> {
                if (state != State.RELAY) {
                    m.bytes().release();
                    unexpected("a message arrived before the login completed");
                    return;
                }
                meters.bytesToUpstream(m.bytes().readableBytes());
                upstream.write(m.bytes(), upstream.voidPromise());
            }
            case Query m -> {
                if (state != State.RELAY) {
                    m.frame().release();
                    unexpected("a query arrived before the login completed");
                    return;
                }
                meters.statement();
                Forward forward = forward(m.sql());
                if (!holdForApproval(m, m.sql(), forward)) {
                    sendQuery(m, forward);
                }
            }
            case Parse m -> {
                if (state != State.RELAY) {
                    m.frame().release();
                    unexpected("a Parse arrived before the login completed");
                    return;
                }
                meters.statement();
                int generation = context.statements().generation();
                Forward forward = forward(m.sql());
                if (!holdForApproval(m, m.sql(), forward)) {
                    sendParse(m, forward, generation);
                }
            }
            case Bind m -> {
                if (state != State.RELAY) {
                    m.frame().release();
                    unexpected("a Bind arrived before the login completed");
                    return;
                }
                onBind(m);
            }
            default -> channelReadRest(ctx, msg);
        }
    }

    private void sendQuery(Query m, Forward forward) {
                ByteBuf frame = m.frame();
                audit.query(m.sql(), forward.judgement());
                if (forward.replacement() != null) {
                    frame.release();
                    frame = FrontendEncoder.query(ctx.alloc(), forward.replacement());
                }
                results.query(forward.rowLimit(), forward.hidden(), forward.masking());
                followInspection();
                meters.bytesToUpstream(frame.readableBytes());
                requests.add(System.nanoTime());
                completions.end();
                upstream.write(frame, upstream.voidPromise());
    }

    private void sendParse(Parse m, Forward forward, int generation) {
                ByteBuf frame = m.frame();
                String replacement = forward.replacement();
                boolean denied = forward.denied();
                String name = m.name();
                var statement = new PreparedStatements.Statement(m.sql(), FrontendEncoder.parameterTypes(m), generation, denied);
                results.parse(m.name(), forward.rowLimit(), forward.hidden(), forward.masking());
                audit.parse(name, m.sql(), forward.judgement());
                if (!watchingBinds) {
                    // from now on a Bind may run a statement checked under a policy that has since changed
                    StatementGate gate = context.statements();
                    ctx.pipeline().get(FrontendDecoder.class).watchBinds(() -> gate.generation() != generation);
                    watchingBinds = true;
                }
                if (!forward.hidden().isEmpty() || forward.masking() != null) {
                    ctx.pipeline().get(FrontendDecoder.class).holdExecutes(true);
                }
                if (replacement != null) {
                    frame = FrontendEncoder.parse(ctx.alloc(), m, replacement, denied);
                    m.frame().release();
                }
                meters.bytesToUpstream(frame.readableBytes());
                statements.sent(name, statement);
                completions.client(() -> statements.answered(name, statement), () -> statements.skipped(name, statement));
                upstream.write(frame, upstream.voidPromise());
    }

    private void onBind(Bind m) {
                ByteBuf frame = m.frame();
                PreparedStatements.Statement statement = statements.get(m.statement());
                if (statement != null && checkAgain(m.statement(), statement).denied) {
                    try {
                        frame = FrontendEncoder.bindWithoutResultFormats(ctx.alloc(), m);
                    } finally {
                        m.frame().release();
                    }
                } else {
                    // the client names one result format per column it sees; the database needs one per column it returns
                    BitSet hiddenHere = results.statementShape(m.statement());
                    if (hiddenHere != null && !hiddenHere.isEmpty()) {
                        frame = ResultRows.bindForAllColumns(frame, hiddenHere, ctx.alloc());
                    }
                }
                results.bind(m.portal(), m.statement());
                audit.bind(m.portal(), m.statement());
                meters.bytesToUpstream(frame.readableBytes());
                upstream.write(frame, upstream.voidPromise());
    }

    /** The client's messages other than the statements (Query, Parse) and Bind. */
    private void channelReadRest(ChannelHandlerContext ctx, Object msg) {
        switch ((FrontendMessage) msg) {
            case Relayed m -> throw new IllegalStateException("handled in channelRead");
            case Query m -> throw new IllegalStateException("handled in channelRead");
            case Parse m -> throw new IllegalStateException("handled in channelRead");
            case Bind m -> throw new IllegalStateException("handled in channelRead");
            case Close m -> {
                if (state != State.RELAY) {
                    m.frame().release();
                    unexpected("a Close arrived before the login completed");
                    return;
                }
                meters.bytesToUpstream(m.frame().readableBytes());
                results.close(m.type(), m.name());
                if (m.type() == 'S') {
                    audit.closeStatement(m.name());
                } else {
                    audit.closePortal(m.name());
                }
                if (m.type() == 'S') {
                    String name = m.name();
                    var closing = PreparedStatements.Statement.closing();
                    statements.sent(name, closing);
                    completions.client(() -> statements.answered(name, closing), () -> statements.skipped(name, closing));
                } else {
                    completions.client(null, null);
                }
                upstream.write(m.frame(), upstream.voidPromise());
            }
            case FunctionCall m -> {
                if (state != State.RELAY) {
                    m.frame().release();
                    unexpected("a function call arrived before the login completed");
                    return;
                }
                meters.statement();
                ByteBuf frame = m.frame();
                // The call names its function by object id: the policy treats it as a statement it cannot read.
                String what = "a fast-path function call names its function by object id, not in SQL";
                var auditRefusal = auditRefusal();
                Decision decision = auditRefusal.isPresent() ? SessionGovernance.auditDenial(auditRefusal.get())
                        : context.statements().decideUnreadable(principal, target, what);
                audit.functionCall(new dev.parapet.core.AuditedStatement("", new StatementGate.Judgement(decision,
                        java.util.Optional.empty(), false, new dev.parapet.policy.StatementAnalysis.Unparseable(what,
                        "(fast-path function call)")), "fast-path"));
                String replacement = replacement(decision, null);
                if (replacement != null) {
                    frame.release();
                    // answered as the call would be when it fails: ErrorResponse, then ReadyForQuery
                    frame = FrontendEncoder.query(ctx.alloc(), replacement);
                }
                meters.bytesToUpstream(frame.readableBytes());
                requests.add(System.nanoTime());
                results.functionCall();
                completions.end();
                upstream.write(frame, upstream.voidPromise());
            }
            case Sync m -> {
                if (state == State.RELAY) {
                    requests.add(System.nanoTime());
                    results.sync();
                    audit.sync();
                    completions.end();
                }
            }
            case BoundPortal m -> {
                results.bind(m.portal(), m.statement());
                audit.bind(m.portal(), m.statement());
            }
            case Describe m -> {
                results.describe(m.kind(), m.name());
                followInspection();
            }
            case Execute m -> {
                results.execute(m.portal());
                audit.execute(m.portal(), m.maxRows());
                followInspection();
            }
            case HeldExecute m -> {
                if (state != State.RELAY) {
                    m.frame().release();
                    unexpected("an Execute arrived before the login completed");
                    return;
                }
                if (results.needsDescribe(m.portal())) {
                    // learn the shape of the rows before they come: the answer stays with the gateway
                    ByteBuf describe = ctx.alloc().buffer();
                    FrontendEncoder.encode(new Describe('P', m.portal()), describe);
                    upstream.write(describe, upstream.voidPromise());
                    results.describedByGateway(m.portal());
                }
                results.execute(m.portal());
                audit.execute(m.portal(), m.maxRows());
                followInspection();
                meters.bytesToUpstream(m.frame().readableBytes());
                upstream.write(m.frame(), upstream.voidPromise());
            }
            case Terminate m -> terminate();
            case PasswordMessage m -> onPassword(m);
            case StartupMessage m -> onStartup(m);
            case SslRequest m -> onSslRequest();
            case GssEncRequest m -> ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
            case CancelRequest m -> onCancel(m);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (upstream != null && state == State.RELAY) {
            upstream.flush();
        }
    }

    /**
     * What becomes of a statement: {@code replacement} is what to send upstream instead of it
     * (null: send it as it is; a statement that raises the refusal when the policy denies it; the
     * same statement re-tagged when it sets application_name), {@code rowLimit} caps the rows it
     * may return (null: no cap), {@code hidden} are columns to remove from its result,
     * {@code masking} how to mask its result (null: not masked).
     */
    private record Forward(String replacement, RowLimit rowLimit, List<String> hidden,
            MaskPlanner.StatementMasking masking, StatementGate.Judgement judgement) {
        Forward(String replacement, StatementGate.Judgement judgement) {
            this(replacement, null, List.of(), null, judgement);
        }

        boolean denied() {
            return replacement != null && DeniedStatement.is(replacement);
        }
    }

    private Forward forward(String sql) {
        return forward(sql, false);
    }

    /** {@code approved}: a person approved this statement (held, or by ticket); approval rules are satisfied. */
    private Forward forward(String sql, boolean approved) {
        return forward(governance.judge(sql, approved), sql);
    }

    /** What becomes of a statement so judged. */
    private Forward forward(StatementGate.Judgement judgement, String sql) {
        if (judgement.changesDefinitions()) {
            definitionsChanged = true;
        }
        String replacement = replacement(judgement.decision(), sql);
        if (judgement.decision() instanceof Decision.Allow allow) {
            return new Forward(replacement, allow.rowLimit().orElse(null), allow.hiddenColumns(),
                    judgement.masking().orElse(null), judgement);
        }
        return new Forward(replacement, judgement);
    }

    /**
     * Holds a statement a rule wants approved (mode hold): opens the request, tells the client with
     * a NOTICE naming it, and stops reading from the client until the request is decided; what the
     * client already sent waits behind it, in order. No thread waits: the decision's future brings
     * the session back on its event loop. False when the statement is not to be held.
     */
    private boolean holdForApproval(FrontendMessage message, String sql, Forward forward) {
        if (!SessionGovernance.held(forward.judgement())) {
            return false;
        }
        Approvals.Request request = governance.hold(forward.judgement(), sql);
        holding = request;
        ctx.writeAndFlush(ErrorResponse.notice("01000", SessionGovernance.holdMessage(request),
                SessionGovernance.holdHint(request)));
        ctx.channel().config().setAutoRead(false);
        request.outcome().whenComplete((outcome, failure) -> ctx.channel().eventLoop().execute(() ->
                release(message, sql, request, outcome)));
        return true;
    }

    /** Withdraws the request of a statement waiting for approval, if one waits: nobody can approve it any more. */
    private void withdrawHeld(String why) {
        if (holding != null) {
            context.approvals().withdraw(holding.id(), why);
        }
    }

    /** The held statement's request is decided: it runs, or the refusal does, then what waited behind it. */
    private void release(FrontendMessage message, String sql, Approvals.Request request, Approvals.Outcome outcome) {
        if (state == State.CLOSED) {
            release(message);
            heldMessages.forEach(ClientSession::release);
            heldMessages.clear();
            return;
        }
        holding = null;
        Forward forward = forward(governance.decided(request, outcome, sql), sql);
        switch (message) {
            case Query q -> sendQuery(q, forward);
            case Parse p -> sendParse(p, forward, context.statements().generation());
            default -> throw new IllegalStateException("only queries and Parse are held");
        }
        ctx.channel().config().setAutoRead(upstream == null || upstream.isWritable());
        while (holding == null && state != State.CLOSED && !heldMessages.isEmpty()) {
            channelRead(ctx, heldMessages.poll());
        }
        ctx.flush();
        if (upstream != null) {
            upstream.flush();
        }
    }

    /** Why the target refuses statements now because the audit trail cannot record them, if it does. */
    private java.util.Optional<String> auditRefusal() {
        return context.audit().refusal(target);
    }

    /**
     * A prepared statement is decided again when the policy changed since it was prepared. When the
     * verdict changed too, the statement the database holds under that name is replaced (by the
     * refusal, or by the client's text again) before the Bind reaches it, and the answers to the
     * gateway's own Close and Parse are held back from the client. The statement counts as
     * checked once the database has taken the replacement: if an earlier error in the batch makes
     * it skip the replacement, the next Bind checks again. What the new decision says about the
     * statement's results (row limit, hidden columns, masking) applies from this Bind on.
     */
    private PreparedStatements.Statement checkAgain(String name, PreparedStatements.Statement statement) {
        int generation = context.statements().generation();
        if (statement.generation == generation) {
            return statement;
        }
        Forward forward = forward(statement.sql);
        results.parse(name, forward.rowLimit(), forward.hidden(), forward.masking());
        audit.parse(name, statement.sql, forward.judgement());
        if (!forward.hidden().isEmpty() || forward.masking() != null) {
            ctx.pipeline().get(FrontendDecoder.class).holdExecutes(true);
        }
        boolean denied = forward.denied();
        if (denied == statement.denied) {
            statement.generation = generation; // nothing to change in the database
            return statement;
        }
        var checked = new PreparedStatements.Statement(statement.sql, statement.types, generation, denied);
        upstream.write(FrontendEncoder.closeStatement(ctx.alloc(), name), upstream.voidPromise());
        completions.gateway(null, null);
        upstream.write(FrontendEncoder.parse(ctx.alloc(), name, forward.replacement() == null ? statement.sql
                : forward.replacement(), statement.types, denied), upstream.voidPromise());
        statements.sent(name, checked);
        completions.gateway(() -> statements.answered(name, checked), () -> statements.skipped(name, checked));
        return checked;
    }

    /**
     * What to send upstream instead of a statement the policy decided on: null to send it as it is,
     * a statement that raises the refusal, or the same statement re-tagged when it sets
     * application_name. {@code sql} is null for what is not SQL, which is never rewritten.
     */
    private String replacement(Decision decision, String sql) {
        switch (decision) {
            case Decision.Allow allow -> {
                allow.shadowed().forEach(v -> log.info("session {}: shadow rule {} would {} for {}: {}", id, v.ruleId(),
                        v.outcome() == Decision.Outcome.DENY ? "deny" : "hold for approval", identity.label(), v.reason()));
                return sql == null ? null : applicationName.rewrite(sql);
            }
            case Decision.Deny deny -> {
                context.metrics().statementDenied(target.name(), deny.ruleId());
                log.info("session {}: {} denied on {}: {}", id, identity.label(), target.name(), deny.message());
                return DeniedStatement.sql(deny.sqlState(), deny.message(), deny.hint());
            }
            case Decision.RequireApproval approval -> {
                // what runs unless the statement is held (a query or Parse is; one re-checked at a Bind or
                // a fast-path call cannot wait there and is refused)
                return DeniedStatement.sql("42501", "rule \"" + approval.ruleId() + "\" requires approval: "
                        + approval.reason(), "send the statement again in a new Parse or query to have it held for approval");
            }
        }
    }

    /** Reads the database's answers message by message while some request has rules about its rows. */
    private void followInspection() {
        boolean inspecting = results.inspecting();
        if (upstreamDecoder != null && upstreamDecoder.messageByMessage() != inspecting) {
            upstreamDecoder.messageByMessage(inspecting);
            upstreamDecoder.inspectRows(inspecting);
        }
    }

    private void onSslRequest() {
        if (state != State.AWAIT_STARTUP || ctx.pipeline().get(SslHandler.class) != null) {
            unexpected("an SSLRequest is only valid as the first packet");
            return;
        }
        FrontendDecoder decoder = ctx.pipeline().get(FrontendDecoder.class);
        if (context.clientTls().isEmpty()) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
            return;
        }
        if (decoder.hasBufferedBytes()) {
            context.metrics().clientProtocolError("postgres", "data_after_ssl_request");
            fatal("08P01", "received unencrypted data after the SSL request");
            return;
        }
        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'S'}));
        ctx.pipeline().addFirst("tls", context.clientTls().get().newHandler(ctx.alloc()));
    }

    private void onCancel(CancelRequest request) {
        if (state != State.AWAIT_STARTUP) {
            unexpected("a CancelRequest must come on a connection of its own");
            return;
        }
        cancelKeys.match(request.processId(), request.secretKey()).ifPresentOrElse(
                key -> {
                    if (!key.cancelHeld().getAsBoolean()) {
                        connector.sendCancel(ctx.channel().eventLoop(), key.server(), key.processId(), key.secretKey());
                    }
                },
                () -> log.info("session {}: cancel request with an unknown key ignored", id));
        closeQuietly();
    }

    private void onStartup(StartupMessage startup) {
        if (state != State.AWAIT_STARTUP) {
            unexpected("a second startup packet arrived");
            return;
        }
        if (startup.majorVersion() != 3) {
            context.metrics().clientProtocolError("postgres", "protocol_version");
            fatal("0A000", "unsupported frontend protocol " + startup.majorVersion() + "." + startup.minorVersion()
                    + ": the gateway supports 3.0");
            return;
        }
        startupParameters = startup.parameters();
        List<String> unknownOptions = startupParameters.keySet().stream().filter(k -> k.startsWith("_pq_.")).toList();
        if (startup.minorVersion() > 0 || !unknownOptions.isEmpty()) {
            ctx.write(new NegotiateProtocolVersion(0, unknownOptions));
        }
        String user = startupParameters.get("user");
        if (user == null || user.isEmpty()) {
            context.metrics().loginRefused("postgres", "no_user");
            fatal("28000", "no PostgreSQL user name specified in startup packet");
            return;
        }
        String replication = startupParameters.getOrDefault("replication", "false");
        if (!List.of("false", "off", "no", "0").contains(replication.toLowerCase())) {
            context.metrics().loginRefused("postgres", "replication");
            fatal("0A000", "replication connections are not supported through the gateway");
            return;
        }
        boolean tls = ctx.pipeline().get(SslHandler.class) != null;
        if (!tls && !(context.config().clientAuth().allowCleartextOnLoopback() && isLoopback())) {
            context.metrics().loginRefused("postgres", "tls_required");
            fatal("28000", "the gateway requires an encrypted connection: connect with sslmode=require (or verify-full)");
            return;
        }
        state = State.AWAIT_PASSWORD;
        ctx.writeAndFlush(Authentication.cleartextPassword());
    }

    private boolean isLoopback() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress address
                && address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }

    private void onPassword(PasswordMessage password) {
        if (state != State.AWAIT_PASSWORD) {
            unexpected("a password message arrived when none was asked for");
            return;
        }
        state = State.LOGGING_IN;
        ctx.channel().config().setAutoRead(false);
        String secret = password.password();
        String user = startupParameters.get("user");
        if (secret.isEmpty()) {
            context.metrics().loginRefused("postgres", "empty_password");
            fatal("28P01", "empty password: send the gateway credentials (a token) as the password");
            return;
        }
        Credentials credentials = new Credentials(user, secret,
                (InetSocketAddress) ctx.channel().remoteAddress(), ctx.pipeline().get(SslHandler.class) != null);
        context.identities().resolveAsync(credentials).whenComplete((identity, error) ->
                ctx.channel().eventLoop().execute(() -> onIdentity(identity, error)));
    }

    private void onIdentity(Identity resolved, Throwable error) {
        if (state != State.LOGGING_IN) {
            return;
        }
        if (error != null) {
            if (error instanceof AuthenticationException refused) {
                context.metrics().loginRefused("postgres", refused.reason());
                log.info("session {}: login refused for user \"{}\" from {}: {}", id, startupParameters.get("user"),
                        ctx.channel().remoteAddress(), refused.getMessage());
                refuseLogin("28P01", refused.getMessage());
            } else {
                log.error("session {}: identity check failed", id, error);
                context.metrics().loginRefused("postgres", "internal_error");
                refuseLogin("XX000", "the gateway could not check the credentials; try again later");
            }
            return;
        }
        identity = resolved;
        principal = StatementGate.principal(resolved);
        // As in PostgreSQL, a missing or empty database name means the user name.
        String database = startupParameters.get("database");
        String targetName = database == null || database.isEmpty() ? startupParameters.get("user") : database;
        var found = context.targets().find(targetName, TargetConfig.Protocol.POSTGRES);
        if (found.isEmpty()) {
            context.metrics().loginRefused("postgres", "unknown_target");
            refuseLogin("3D000", "target \"" + targetName + "\" does not exist on this gateway: "
                    + "name a configured target as the database");
            return;
        }
        target = found.get();
        var refusal = context.connectPolicy().refusal(identity, target);
        if (refusal.isPresent()) {
            var rule = refusal.get();
            context.metrics().loginRefused("postgres", "access_rule");
            log.info("session {}: access rule {} refuses {} ({}) on target {}", id, rule.id(), identity.label(),
                    identity.subject(), target.name());
            refuseLogin("28000", "access rule \"" + rule.id() + "\" does not let " + identity.label() + " use target \""
                    + target.name() + "\"" + (rule.description() == null ? "" : ": " + rule.description()));
            return;
        }
        if (refusedStartupSetting()) {
            return;
        }
        var auditRefusal = auditRefusal();
        if (auditRefusal.isPresent()) {
            context.metrics().loginRefused("postgres", "audit_unavailable");
            log.warn("session {}: login of {} to {} refused: {}", id, identity.label(), target.name(), auditRefusal.get());
            refuseLogin("57P03", auditRefusal.get() + "; try again later");
            return;
        }
        UpstreamAccount account = UpstreamAccount.of(target, identity);
        TargetConfig estimated = target;
        governance = new SessionGovernance(context, id, identity, target, (sql, analysis) -> PlanEstimate.possible(analysis)
                ? PlanEstimate.of(estimated, account, sql)
                : java.util.concurrent.CompletableFuture.completedFuture(java.util.Optional.empty()),
                ctx.channel().eventLoop());
        meters = context.metrics().target(target.name(), "postgres");
        upstreamConnectStart = System.nanoTime();
        connector.connect(ctx.channel().eventLoop(), target, UpstreamAccount.of(target, identity), upstreamParameters(), this).addListener(f -> {
            if (!f.isSuccess()) {
                upstreamFailed(ErrorResponse.fatal("08001", "target \"" + target.name()
                        + "\" is unavailable: the gateway cannot connect to its database"), f.cause().toString());
            } else if (state == State.CLOSED) {
                ((io.netty.channel.ChannelFuture) f).channel().close();
            } else {
                upstream = ((io.netty.channel.ChannelFuture) f).channel();
                upstreamDecoder = upstream.pipeline().get(BackendDecoder.class);
            }
        });
    }

    /** Whether a client's startup parameter goes upstream as a setting of the database session. */
    private static boolean forwarded(String name) {
        return switch (name) {
            case "user", "database", "options", "replication", "application_name" -> false;
            default -> !name.startsWith("_pq_.");
        };
    }

    /** Settings drivers send at every login to agree on the wire format; not put to the policy. */
    private static final Set<String> FORMAT_SETTINGS = Set.of("client_encoding", "datestyle", "timezone",
            "intervalstyle", "extra_float_digits");

    /**
     * A startup parameter sets a setting as SET would (search_path, role, ...), so each one that
     * goes upstream, except the wire-format ones, is put to the policy as {@code SET name TO '...'}
     * (the value does not change the verdict); the login is refused, naming the rule, if one of
     * them would be. True when refused.
     */
    private boolean refusedStartupSetting() {
        for (String name : startupParameters.keySet()) {
            if (!forwarded(name) || FORMAT_SETTINGS.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            String setting = name.matches("[A-Za-z_][A-Za-z0-9_.$]*") ? name : '"' + name.replace("\"", "\"\"") + '"';
            Decision decision = context.statements().decide(principal, target, "SET " + setting + " TO 'x'");
            String sqlState;
            String message;
            switch (decision) {
                case Decision.Allow allow -> {
                    continue;
                }
                case Decision.Deny deny -> {
                    sqlState = deny.sqlState();
                    message = deny.message();
                }
                case Decision.RequireApproval approval -> {
                    sqlState = "42501";
                    message = "rule \"" + approval.ruleId() + "\" requires approval: " + approval.reason();
                }
            }
            context.metrics().loginRefused("postgres", "startup_setting");
            log.info("session {}: {} may not set {} at login on {}: {}", id, identity.label(), name, target.name(), message);
            refuseLogin(sqlState, message + " (asked for by the login's \"" + name + "\" parameter)");
            return true;
        }
        return false;
    }

    /** The client's startup parameters that go upstream, with the session tagged by its identity. */
    private Map<String, String> upstreamParameters() {
        Map<String, String> params = new LinkedHashMap<>();
        startupParameters.forEach((name, value) -> {
            if (forwarded(name)) {
                params.put(name, value);
            }
        });
        applicationName = new ApplicationNameTag(identity.handle());
        params.put("application_name", applicationName.atLogin(startupParameters.get("application_name")));
        if (startupParameters.containsKey("options")) {
            log.info("session {}: the client's 'options' startup parameter is not passed to the database", id);
        }
        return params;
    }

    // ---- upstream side -----------------------------------------------------------------------

    @Override
    public void upstreamReady(List<ParameterStatus> parameters, BackendKeyData key) {
        if (state != State.LOGGING_IN || upstream == null) {
            if (upstream != null) {
                upstream.close();
            }
            return;
        }
        meters.upstreamConnect(System.nanoTime() - upstreamConnectStart);
        int[] clientKey = cancelKeys.register(new CancelKeys.UpstreamKey(
                UpstreamConnector.address(target), key.processId(), key.secretKey(),
                () -> {
                    if (holding == null) {
                        return false;
                    }
                    ctx.channel().eventLoop().execute(() -> withdrawHeld("the client canceled the statement"));
                    return true;
                }));
        clientProcessId = clientKey[0];
        upstreamProcessId = key.processId();
        ctx.write(Authentication.ok());
        for (ParameterStatus parameter : parameters) {
            ctx.write(parameter);
        }
        ctx.write(new BackendKeyData(clientKey[0], clientKey[1]));
        ctx.writeAndFlush(ReadyForQuery.IDLE);
        state = State.RELAY;
        startupTimeout.cancel(false);
        context.sessions().add(this);
        meters.login();
        scheduleTokenExpiry();
        log.info("session {}: {} ({}) connected to target {} from {}", id, identity.label(), identity.kind(),
                target.name(), ctx.channel().remoteAddress());
        audit.start(facts());
        governance.audit(audit.session());
        audit.session().connected();
        Backpressure.link(ctx.channel(), upstream);
    }

    /** With on-token-expiry: end, the session ends when its token does (at its next idle point). */
    private void scheduleTokenExpiry() {
        if (context.config().identity().onTokenExpiry() != IdentityConfig.OnExpiry.END) {
            return;
        }
        identity.expiresAt().ifPresent(expiry -> {
            long delay = Math.max(0, expiry.toEpochMilli() - System.currentTimeMillis());
            tokenExpiry = ctx.executor().schedule(() -> {
                log.info("session {}: the token of {} expired at {}; ending the session", id, identity.label(), expiry);
                endWhenIdle(ErrorResponse.fatal("28000", "the session's token expired at " + expiry
                        + "; reconnect with a fresh token"));
            }, delay, TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void upstreamFailed(ErrorResponse toClient, String detail) {
        if (meters != null) {
            meters.upstreamError();
        }
        log.warn("session {}: cannot open target {} for {}: {}", id, target == null ? "?" : target.name(),
                identity == null ? "?" : identity.label(), detail);
        context.metrics().loginRefused("postgres", "upstream_unavailable");
        if (state != State.CLOSED) {
            context.audit().refused(facts(), toClient.sqlState(), toClient.message());
            send(toClient);
            closeQuietly();
        }
    }

    @Override
    public void upstreamMessage(BackendMessage message) {
        if (waitingForCatalog) {
            heldWhileDescribing.add(message);
            return;
        }
        if (describing != null) {
            // the message after a held RowDescription's bytes is what it says
            if (message instanceof RowDescription description) {
                describeResult(description);
                return;
            }
            ByteBuf orphan = describing;
            describing = null;
            orphan.release();
            results.fail(ErrorResponse.error("XX000", "the gateway lost track of a result's columns", null));
            ctx.write(results.failure(), ctx.voidPromise());
        }
        switch (message) {
            case Relayed m -> {
                meters.bytesToClient(m.bytes().readableBytes());
                ctx.write(m.bytes(), ctx.voidPromise());
            }
            case ParseComplete m -> relayUnlessOwn(m.frame());
            case CloseComplete m -> relayUnlessOwn(m.frame());
            case ReadyForQuery m -> {
                completions.ready();
                results.ready();
                audit.ready(m.status());
                followInspection();
                if (definitionsChanged && m.status() == 'I') {
                    // committed (or rolled back): lookups from now on must see the new definitions
                    definitionsChanged = false;
                    catalogs.of(target).invalidate();
                }                transactionStatus = m.status();
                long sent = requests.poll();
                if (sent != 0) {
                    meters.upstreamLatency(System.nanoTime() - sent);
                }
                if (endWhenIdle != null && idle()) {
                    ctx.flush();
                    end(endWhenIdle);
                }
            }
            case ErrorResponse m -> {
                if ("FATAL".equals(m.severity()) || "PANIC".equals(m.severity())) {
                    upstreamSentFatal = true;
                }
                audit.error(m.sqlState(), m.message());
                results.error();
            }
            case DataRow m -> {
                switch (results.row()) {
                    case FORWARD -> {
                        RowRewrite rewrite = results.maskPlan();
                        ByteBuf row = rewrite == null ? m.frame()
                                : rewrite.apply(m.frame(), context.statements().masks().masker(), ctx.alloc());
                        meters.bytesToClient(row.readableBytes());
                        ctx.write(row, ctx.voidPromise());
                    }
                    case DROP -> m.frame().release();
                    case FAIL -> {
                        m.frame().release();
                        ErrorResponse error = results.failure();
                        log.info("session {}: {} stopped on {}: {}", id, identity.label(), target.name(), error.message());
                        ctx.write(error, ctx.voidPromise());
                    }
                }
                RowLimit shadow = results.takeExceededShadow();
                if (shadow != null) {
                    log.info("session {}: shadow rule {} would stop a result of {} on {} at {} rows", id, shadow.ruleId(),
                            identity.label(), target.name(), shadow.rows());
                }
            }
            case RelayedMessage m -> {
                if (results.discarding() && m.tag() != 'Z') {
                    m.frame().release();
                    return;
                }
                if (m.tag() == 'T' && (results.descriptionIsGateways() || results.descriptionReshapes())) {
                    describing = m.frame();
                    return;
                }
                if (m.tag() == 'n' && results.descriptionIsGateways()) {
                    m.frame().release();
                    return;
                }
                if (m.tag() == 'C' || m.tag() == 's') {
                    ErrorResponse notice = results.truncationNotice(m.tag() == 's');
                    if (notice != null) {
                        ctx.write(notice, ctx.voidPromise());
                    }
                }
                meters.bytesToClient(m.frame().readableBytes());
                ctx.write(m.frame(), ctx.voidPromise());
            }
            case PortalSuspended m -> {
                audit.portalSuspended();
                results.suspended();
            }
            case EmptyQueryResponse m -> {
                audit.emptyQuery();
                results.completed();
            }
            case NoData m -> results.noData();
            case NotificationResponse m -> {
                // The client knows its session by the gateway's process id, not the database's.
                if (m.processId() == upstreamProcessId) {
                    m.processId(clientProcessId);
                }
                meters.bytesToClient(m.frame().readableBytes());
                ctx.write(m.frame(), ctx.voidPromise());
            }
            case RowDescription m -> results.described(ResultRows.NONE, null);
            case CommandComplete m -> {
                audit.commandComplete(m.tag());
                results.completed();
            }
            case Authentication m -> unexpectedFromUpstream(m);
            case ParameterStatus m -> unexpectedFromUpstream(m);
            case BackendKeyData m -> unexpectedFromUpstream(m);
            case NegotiateProtocolVersion m -> unexpectedFromUpstream(m);
        }
    }

    /**
     * A RowDescription whose columns may have to be hidden or masked: find out where each comes
     * from, then send it on without the hidden columns (or not at all, when it answers the
     * gateway's own Describe), with the plan for the rows that follow. The answers behind it wait
     * meanwhile; the upstream stops being read.
     */
    private void describeResult(RowDescription description) {
        List<String> hidden = results.hiddenForDescription();
        MaskPlanner.StatementMasking masking = results.maskingForDescription();
        if (hidden.isEmpty() && masking == null) {
            finishDescription(description, new ResultRows.Shape(ResultRows.NONE, null));
            return;
        }
        Set<Integer> oids = new HashSet<>();
        description.fields().forEach(f -> oids.add(f.tableOid()));
        oids.remove(0);
        var lookup = catalogs.of(target).relations(ctx.channel().eventLoop(), oids);
        if (lookup.isDone() && !lookup.isCompletedExceptionally()) {
            finishDescription(description, ResultRows.shape(description, lookup.join(), hidden, masking,
                    context.statements().masks()));
            return;
        }
        waitingForCatalog = true;
        upstream.config().setAutoRead(false);
        lookup.whenComplete((relations, failure) -> ctx.channel().eventLoop().execute(() -> {
            waitingForCatalog = false;
            if (state == State.CLOSED) {
                return;
            }
            if (failure != null) {
                log.warn("session {}: cannot look up the columns of a result on {}: {}", id, target.name(), failure.getMessage());
                finishDescription(description, null);
            } else {
                finishDescription(description, ResultRows.shape(description, relations, hidden, masking,
                        context.statements().masks()));
            }
            while (!waitingForCatalog && !heldWhileDescribing.isEmpty()) {
                upstreamMessage(heldWhileDescribing.poll());
            }
            if (!waitingForCatalog) {
                upstream.config().setAutoRead(ctx.channel().isWritable());
                ctx.flush();
            }
        }));
    }

    /** {@code shape}: what becomes of the result; null when it cannot be known, which refuses the result. */
    private void finishDescription(RowDescription description, ResultRows.Shape shape) {
        ByteBuf frame = describing;
        describing = null;
        boolean gateways = results.descriptionIsGateways();
        if (shape == null) {
            frame.release();
            ErrorResponse refusal = ErrorResponse.error("42501", "the gateway cannot tell where every column of this"
                    + " result comes from, and some of its tables have columns you may not see; it sends none of it",
                    "name the columns you need instead of *");
            results.described(ResultRows.NONE, null);
            results.fail(refusal);
            context.metrics().resultRefused(target.name());
            ctx.write(refusal, ctx.voidPromise());
            return;
        }
        if (shape.rewrite() != null) {
            MaskPlanner.StatementMasking masking = results.maskingForDescription();
            context.metrics().resultRewritten(target.name(), masking != null ? masking.directive().ruleId() : "narrowed");
        }
        results.described(shape.drop(), shape.rewrite());
        if (shape.rewrite() != null) {
            audit.masked(description.fields().stream().map(RowDescription.Field::name).toList(),
                    shape.rewrite().plan().actions(), shape.rewrite().plan().reasons());
        }
        if (shape.rewrite() != null && !shape.rewrite().plan().reasons().isEmpty() && log.isDebugEnabled()) {
            log.debug("session {}: masking for {}: {}", id, identity.label(), shape.rewrite().plan().reasons());
        }
        if (gateways) {
            frame.release();
        } else if (shape.drop().isEmpty()) {
            meters.bytesToClient(frame.readableBytes());
            ctx.write(frame, ctx.voidPromise());
        } else {
            frame.release();
            ctx.write(ResultRows.withoutFields(description, shape.drop()), ctx.voidPromise());
        }
    }

    /** Relays the answer to a Parse or Close, or drops it when it answers one the gateway sent itself. */
    private void relayUnlessOwn(ByteBuf frame) {
        if (completions.answersGateway() || results.discarding()) {
            frame.release();
        } else {
            meters.bytesToClient(frame.readableBytes());
            ctx.write(frame, ctx.voidPromise());
        }
    }

    private void unexpectedFromUpstream(BackendMessage message) {
        log.error("session {}: unexpected {} from the database during the session", id, message.getClass().getSimpleName());
        fatal("08P01", "the database of target \"" + target.name() + "\" sent an unexpected message");
    }

    @Override
    public void upstreamReadComplete() {
        ctx.flush();
    }

    @Override
    public void upstreamClosed() {
        if (state == State.CLOSED) {
            return;
        }
        meters.upstreamError();
        boolean midMessage = upstreamDecoder != null && upstreamDecoder.insideMessage();
        if (upstreamSentFatal || midMessage) {
            ctx.flush();
            closeQuietly();
        } else {
            log.warn("session {}: the database of target {} closed the connection", id, target.name());
            fatal("08006", "the connection to the database of target \"" + target.name() + "\" was lost");
        }
    }

    // ---- ending ------------------------------------------------------------------------------

    private boolean idle() {
        return requests.isEmpty() && transactionStatus == 'I';
    }

    @Override
    public void shutdownWhenIdle() {
        ctx.channel().eventLoop().execute(() -> endWhenIdle(ErrorResponse.fatal("57P01",
                "terminating connection because the gateway is shutting down; reconnect to another instance")));
    }

    /** Ends the session now if it is idle or still logging in, else at its next idle point. */
    private void endWhenIdle(ErrorResponse reason) {
        if (state == State.CLOSED) {
            return;
        }
        if (endWhenIdle == null) {
            endWhenIdle = reason;
        }
        if (state != State.RELAY || idle()) {
            end(endWhenIdle);
        }
    }

    private void end(ErrorResponse reason) {
        fatal(reason.sqlState(), reason.message());
    }

    @Override
    public void closeNow() {
        ctx.channel().eventLoop().execute(() -> {
            if (state != State.CLOSED) {
                fatal("57P01", "terminating connection because the gateway is shutting down (grace period over)");
            }
        });
    }

    private void terminate() {
        if (endReason == null) {
            endReason = "the client ended the session";
        }
        if (upstream != null && upstream.isActive()) {
            upstream.writeAndFlush(Terminate.INSTANCE).addListener(ChannelFutureListener.CLOSE);
        }
        closeQuietly();
    }

    private void unexpected(String what) {
        context.metrics().clientProtocolError("postgres", "unexpected_message");
        fatal("08P01", "protocol violation: " + what);
    }

    private void send(ErrorResponse error) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(error);
        }
    }

    /** Sends a FATAL error and closes the session. */
    private void fatal(String sqlState, String message) {
        if (state == State.CLOSED) {
            return;
        }
        if (endReason == null) {
            endReason = sqlState + ": " + message;
        }
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(ErrorResponse.fatal(sqlState, message)).addListener(ChannelFutureListener.CLOSE);
        }
        closeQuietly();
    }

    private void closeQuietly() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (startupTimeout != null) {
            startupTimeout.cancel(false);
        }
        if (tokenExpiry != null) {
            tokenExpiry.cancel(false);
        }
        if (clientProcessId != 0) {
            cancelKeys.remove(clientProcessId);
        }
        context.sessions().remove(this);
        withdrawHeld("the client disconnected");
        if (describing != null) {
            describing.release();
            describing = null;
        }
        heldWhileDescribing.forEach(ClientSession::releaseBackend);
        heldWhileDescribing.clear();
        if (upstream != null) {
            upstream.close();
        }
        if (ctx.channel().isActive()) {
            // Let a pending error reach the client before the close.
            ctx.channel().eventLoop().execute(ctx::close);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connections.decrementAndGet();
        if (state == State.RELAY && upstream != null && upstream.isActive()) {
            upstream.writeAndFlush(Terminate.INSTANCE).addListener(ChannelFutureListener.CLOSE);
        }
        closeQuietly();
        if (identity != null && target != null) {
            log.info("session {}: {} disconnected from target {}", id, identity.label(), target.name());
        }
        if (audit.session() != null) {
            audit.end();
            audit.session().disconnected(startedNanos, audit.statements(),
                    endReason == null ? "the client closed the connection" : endReason);
        }
    }

    /** Refuses a login: recorded in the audit trail, then answered with a FATAL error. */
    private void refuseLogin(String sqlState, String message) {
        context.audit().refused(facts(), sqlState, message);
        fatal(sqlState, message);
    }

    /** What the audit trail says about this session as it stands. */
    private dev.parapet.core.SessionFacts facts() {
        String database = startupParameters.get("database");
        return new dev.parapet.core.SessionFacts(id, identity, startupParameters.get("user"),
                ctx.channel().remoteAddress() instanceof InetSocketAddress address ? address : null,
                startupParameters.get("application_name"), target,
                database == null || database.isEmpty() ? startupParameters.get("user") : database, "postgresql");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof ProtocolException protocol) {
            if (state == State.CLOSED) {
                // The decoder fails again on the bytes still buffered when the channel closes:
                // this error was counted, logged and answered already.
                return;
            }
            context.metrics().clientProtocolError("postgres", "malformed");
            log.info("session {}: protocol error from {}: {}", id, ctx.channel().remoteAddress(), protocol.getMessage());
            fatal(protocol.sqlState(), protocol.getMessage());
        } else if (root instanceof IOException || root instanceof javax.net.ssl.SSLException) {
            log.debug("session {}: connection error: {}", id, root.toString());
            closeQuietly();
        } else {
            log.error("session {}: unexpected error", id, cause);
            fatal("XX000", "internal gateway error; the session is closed");
        }
    }

    private static void releaseBackend(BackendMessage message) {
        switch (message) {
            case Relayed m -> m.bytes().release();
            case RelayedMessage m -> m.frame().release();
            case DataRow m -> m.frame().release();
            case NotificationResponse m -> m.frame().release();
            default -> { }
        }
    }

    private static void release(Object msg) {
        switch (msg) {
            case Relayed m -> m.bytes().release();
            case Query m -> m.frame().release();
            case Parse m -> m.frame().release();
            case HeldExecute m -> m.frame().release();
            case Bind m -> m.frame().release();
            case Close m -> m.frame().release();
            case FunctionCall m -> m.frame().release();
            case ParseComplete m -> m.frame().release();
            case CloseComplete m -> m.frame().release();
            default -> ReferenceCountUtil.release(msg);
        }
    }

    /** Send times of requests awaiting their ReadyForQuery, oldest first; 0 means none. */
    private static final class RequestTimes {
        private long[] times = new long[16];
        private int head;
        private int size;

        void add(long time) {
            if (size == times.length) {
                long[] grown = new long[times.length * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = times[(head + i) % times.length];
                }
                times = grown;
                head = 0;
            }
            times[(head + size) % times.length] = time;
            size++;
        }

        long poll() {
            if (size == 0) {
                return 0;
            }
            long time = times[head];
            head = (head + 1) % times.length;
            size--;
            return time;
        }

        boolean isEmpty() {
            return size == 0;
        }
    }
}
