package dev.parapet.postgres.frontend;

import dev.parapet.config.IdentityConfig;
import dev.parapet.config.TargetConfig;
import dev.parapet.core.AuthenticationException;
import dev.parapet.core.Backpressure;
import dev.parapet.core.Credentials;
import dev.parapet.core.GatewayContext;
import dev.parapet.core.GatewayMetrics;
import dev.parapet.core.Identity;
import dev.parapet.core.ProtocolSession;
import dev.parapet.core.UpstreamAccount;
import dev.parapet.core.StatementGate;
import dev.parapet.policy.Decision;
import dev.parapet.policy.Principal;
import dev.parapet.postgres.codec.FrontendDecoder;
import dev.parapet.postgres.codec.FrontendEncoder;
import dev.parapet.postgres.codec.ProtocolException;
import dev.parapet.postgres.message.Authentication;
import dev.parapet.postgres.message.BackendKeyData;
import dev.parapet.postgres.message.BackendMessage;
import dev.parapet.postgres.message.Bind;
import dev.parapet.postgres.message.CancelRequest;
import dev.parapet.postgres.message.Close;
import dev.parapet.postgres.message.CloseComplete;
import dev.parapet.postgres.message.CommandComplete;
import dev.parapet.postgres.message.DataRow;
import dev.parapet.postgres.message.ErrorResponse;
import dev.parapet.postgres.message.FrontendMessage;
import dev.parapet.postgres.message.FunctionCall;
import dev.parapet.postgres.message.GssEncRequest;
import dev.parapet.postgres.message.NegotiateProtocolVersion;
import dev.parapet.postgres.message.NotificationResponse;
import dev.parapet.postgres.message.ParameterStatus;
import dev.parapet.postgres.message.ParseComplete;
import dev.parapet.postgres.message.Parse;
import dev.parapet.postgres.message.PasswordMessage;
import dev.parapet.postgres.message.Query;
import dev.parapet.postgres.message.ReadyForQuery;
import dev.parapet.postgres.message.Relayed;
import dev.parapet.postgres.message.RowDescription;
import dev.parapet.postgres.message.SslRequest;
import dev.parapet.postgres.message.StartupMessage;
import dev.parapet.postgres.message.Sync;
import dev.parapet.postgres.message.Terminate;
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
    private final PreparedStatements statements = new PreparedStatements();
    private final OwedCompletions completions = new OwedCompletions();
    private boolean watchingBinds;

    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_STARTUP;
    private ScheduledFuture<?> startupTimeout;
    private Map<String, String> startupParameters = Map.of();
    private Identity identity;
    private Principal principal;
    private ApplicationNameTag applicationName;
    private TargetConfig target;
    private GatewayMetrics.TargetMeters meters;
    private Channel upstream;
    private long upstreamConnectStart;
    private int clientProcessId;
    private int upstreamProcessId;
    private char transactionStatus = 'I';
    private boolean upstreamSentFatal;
    /** Why the session ends at its next idle point (gateway shutdown, token expiry), if it does. */
    private ErrorResponse endWhenIdle;
    private ScheduledFuture<?> tokenExpiry;

    ClientSession(GatewayContext context, CancelKeys cancelKeys, UpstreamConnector connector, AtomicInteger connections) {
        this.context = context;
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
                ByteBuf frame = m.frame();
                String replacement = replacement(m.sql());
                if (replacement != null) {
                    frame.release();
                    frame = FrontendEncoder.query(ctx.alloc(), replacement);
                }
                meters.bytesToUpstream(frame.readableBytes());
                requests.add(System.nanoTime());
                completions.end();
                upstream.write(frame, upstream.voidPromise());
            }
            case Parse m -> {
                if (state != State.RELAY) {
                    m.frame().release();
                    unexpected("a Parse arrived before the login completed");
                    return;
                }
                meters.statement();
                ByteBuf frame = m.frame();
                int generation = context.statements().generation();
                String replacement = replacement(m.sql());
                boolean denied = replacement != null && DeniedStatement.is(replacement);
                String name = m.name();
                var statement = new PreparedStatements.Statement(m.sql(), FrontendEncoder.parameterTypes(m), generation, denied);
                if (!watchingBinds) {
                    ctx.pipeline().get(FrontendDecoder.class).watchBinds();
                    watchingBinds = true;
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
            case Bind m -> {
                if (state != State.RELAY) {
                    m.frame().release();
                    unexpected("a Bind arrived before the login completed");
                    return;
                }
                ByteBuf frame = m.frame();
                PreparedStatements.Statement statement = statements.get(m.statement());
                if (statement != null && checkAgain(m.statement(), statement).denied) {
                    try {
                        frame = FrontendEncoder.bindWithoutResultFormats(ctx.alloc(), m);
                    } finally {
                        m.frame().release();
                    }
                }
                meters.bytesToUpstream(frame.readableBytes());
                upstream.write(frame, upstream.voidPromise());
            }
            case Close m -> {
                if (state != State.RELAY) {
                    m.frame().release();
                    unexpected("a Close arrived before the login completed");
                    return;
                }
                meters.bytesToUpstream(m.frame().readableBytes());
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
                String replacement = replacement(context.statements().decideUnreadable(principal, target,
                        "a fast-path function call names its function by object id, not in SQL"), null);
                if (replacement != null) {
                    frame.release();
                    // answered as the call would be when it fails: ErrorResponse, then ReadyForQuery
                    frame = FrontendEncoder.query(ctx.alloc(), replacement);
                }
                meters.bytesToUpstream(frame.readableBytes());
                requests.add(System.nanoTime());
                completions.end();
                upstream.write(frame, upstream.voidPromise());
            }
            case Sync m -> {
                if (state == State.RELAY) {
                    requests.add(System.nanoTime());
                    completions.end();
                }
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
     * What to send upstream instead of {@code sql}: null to send it as it is, a statement that
     * raises the refusal when the policy denies it, or the same statement re-tagged when it sets
     * application_name.
     */
    private String replacement(String sql) {
        return replacement(context.statements().decide(principal, target, sql), sql);
    }

    /**
     * A prepared statement is decided again when the policy changed since it was prepared. When the
     * verdict changed too, the statement the database holds under that name is replaced (by the
     * refusal, or by the client's text again) before the Bind reaches it, and the answers to the
     * gateway's own Close and Parse are held back from the client. The statement counts as
     * checked once the database has taken the replacement: if an earlier error in the batch makes
     * it skip the replacement, the next Bind checks again.
     */
    private PreparedStatements.Statement checkAgain(String name, PreparedStatements.Statement statement) {
        int generation = context.statements().generation();
        if (statement.generation == generation) {
            return statement;
        }
        String replacement = replacement(statement.sql);
        boolean denied = replacement != null && DeniedStatement.is(replacement);
        if (denied == statement.denied) {
            statement.generation = generation; // nothing to change in the database
            return statement;
        }
        var checked = new PreparedStatements.Statement(statement.sql, statement.types, generation, denied);
        upstream.write(FrontendEncoder.closeStatement(ctx.alloc(), name), upstream.voidPromise());
        completions.gateway(null, null);
        upstream.write(FrontendEncoder.parse(ctx.alloc(), name, replacement == null ? statement.sql : replacement,
                statement.types, denied), upstream.voidPromise());
        statements.sent(name, checked);
        completions.gateway(() -> statements.answered(name, checked), () -> statements.skipped(name, checked));
        return checked;
    }

    /** The same for a decision already taken; {@code sql} is null for what is not SQL, which is never rewritten. */
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
                context.metrics().statementDenied(target.name(), approval.ruleId());
                log.info("session {}: {} needs approval on {} (rule {}), refused: approvals are not available yet", id,
                        identity.label(), target.name(), approval.ruleId());
                return DeniedStatement.sql("42501", "rule \"" + approval.ruleId() + "\" requires approval: "
                        + approval.reason(), "approvals are not available in this version of the gateway; ask an operator");
            }
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
                key -> connector.sendCancel(ctx.channel().eventLoop(), key.server(), key.processId(), key.secretKey()),
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
                fatal("28P01", refused.getMessage());
            } else {
                log.error("session {}: identity check failed", id, error);
                context.metrics().loginRefused("postgres", "internal_error");
                fatal("XX000", "the gateway could not check the credentials; try again later");
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
            fatal("3D000", "target \"" + targetName + "\" does not exist on this gateway: "
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
            fatal("28000", "access rule \"" + rule.id() + "\" does not let " + identity.label() + " use target \""
                    + target.name() + "\"" + (rule.description() == null ? "" : ": " + rule.description()));
            return;
        }
        if (refusedStartupSetting()) {
            return;
        }
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
            fatal(sqlState, message + " (asked for by the login's \"" + name + "\" parameter)");
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
                UpstreamConnector.address(target), key.processId(), key.secretKey()));
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
            send(toClient);
            closeQuietly();
        }
    }

    @Override
    public void upstreamMessage(BackendMessage message) {
        switch (message) {
            case Relayed m -> {
                meters.bytesToClient(m.bytes().readableBytes());
                ctx.write(m.bytes(), ctx.voidPromise());
            }
            case ParseComplete m -> relayUnlessOwn(m.frame());
            case CloseComplete m -> relayUnlessOwn(m.frame());
            case ReadyForQuery m -> {
                completions.ready();
                transactionStatus = m.status();
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
            }
            case DataRow m -> {
                meters.bytesToClient(m.frame().readableBytes());
                ctx.write(m.frame(), ctx.voidPromise());
            }
            case NotificationResponse m -> {
                // The client knows its session by the gateway's process id, not the database's.
                if (m.processId() == upstreamProcessId) {
                    m.processId(clientProcessId);
                }
                meters.bytesToClient(m.frame().readableBytes());
                ctx.write(m.frame(), ctx.voidPromise());
            }
            case RowDescription m -> { }
            case CommandComplete m -> { }
            case Authentication m -> unexpectedFromUpstream(m);
            case ParameterStatus m -> unexpectedFromUpstream(m);
            case BackendKeyData m -> unexpectedFromUpstream(m);
            case NegotiateProtocolVersion m -> unexpectedFromUpstream(m);
        }
    }

    /** Relays the answer to a Parse or Close, or drops it when it answers one the gateway sent itself. */
    private void relayUnlessOwn(ByteBuf frame) {
        if (completions.answersGateway()) {
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
        var decoder = upstream.pipeline().get(dev.parapet.postgres.codec.BackendDecoder.class);
        boolean midMessage = decoder != null && decoder.insideMessage();
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

    private static void release(Object msg) {
        switch (msg) {
            case Relayed m -> m.bytes().release();
            case Query m -> m.frame().release();
            case Parse m -> m.frame().release();
            case Bind m -> m.frame().release();
            case Close m -> m.frame().release();
            case FunctionCall m -> m.frame().release();
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
