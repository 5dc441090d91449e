package dev.parapet.mysql.frontend;

import dev.parapet.config.IdentityConfig;
import dev.parapet.config.TargetConfig;
import dev.parapet.core.Approvals;
import dev.parapet.core.AuditTrail;
import dev.parapet.core.AuditedStatement;
import dev.parapet.core.AuthenticationException;
import dev.parapet.core.Backpressure;
import dev.parapet.core.Credentials;
import dev.parapet.core.GatewayContext;
import dev.parapet.core.GatewayMetrics;
import dev.parapet.core.Identity;
import dev.parapet.core.MaskPlan;
import dev.parapet.core.ProtocolSession;
import dev.parapet.core.ResultColumn;
import dev.parapet.core.SessionFacts;
import dev.parapet.core.SessionGovernance;
import dev.parapet.core.StatementGate;
import dev.parapet.core.UpstreamAccount;
import dev.parapet.mysql.wire.Capabilities;
import dev.parapet.mysql.wire.ColumnDefinition;
import dev.parapet.mysql.wire.Commands;
import dev.parapet.mysql.wire.PacketDecoder;
import dev.parapet.mysql.wire.Packets;
import dev.parapet.mysql.upstream.ServerGreeting;
import dev.parapet.mysql.upstream.UpstreamConnector;
import dev.parapet.mysql.upstream.UpstreamEvents;
import dev.parapet.mysql.upstream.UpstreamHandler;
import dev.parapet.policy.Decision;
import dev.parapet.policy.RowLimit;
import dev.parapet.policy.StatementAnalysis;
import dev.parapet.policy.StatementInfo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MySQL client connection, from the gateway's greeting to its close: the handshake (TLS when
 * the client asks for it), receiving the caller's token as its password (caching_sha2_password's
 * full authentication over TLS, or mysql_clear_password), login through the core's identity
 * resolver, the target named by the database, the upstream login with service credentials; then
 * every command judged by the policy, relayed, and its answer followed to mask rows, enforce row
 * limits and record the statement. The session and its upstream share one event loop.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements ProtocolSession, UpstreamEvents {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private static final String PROTOCOL = "mysql";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern KILL = Pattern.compile(
            "\\s*kill\\s+(?:(query|connection)\\s+)?(\\d+)\\s*;?\\s*", Pattern.CASE_INSENSITIVE);

    private enum State { AWAIT_RESPONSE, AWAIT_TOKEN, AWAIT_SWITCH, LOGGING_IN, SETTING_ROLE, RELAY, CLOSED }

    private final GatewayContext context;
    private final MySqlListener listener;
    private final AtomicInteger connections;
    private final long id;
    private final byte[] scramble = new byte[20];
    private final long startedNanos = System.nanoTime();
    private final ArrayDeque<Exchange> exchanges = new ArrayDeque<>();
    private final PreparedStatements prepared = new PreparedStatements();
    /** Packets the client sent while a statement waits for approval; read in order once it is decided. */
    private final ArrayDeque<ByteBuf> heldPackets = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_RESPONSE;
    private ScheduledFuture<?> startupTimeout;
    private ScheduledFuture<?> tokenExpiry;
    private int loginSeq;
    private int clientCapabilities;
    private int charset;
    private String user = "";
    private String database;
    private Map<String, String> attributes = Map.of();
    private Identity identity;
    private TargetConfig target;
    private GatewayMetrics.TargetMeters meters;
    private SessionGovernance governance;
    private AuditTrail.Session audit;
    private long statements;
    private long transactions;
    private Channel upstream;
    /** Set once at login, read by other sessions' KILL. */
    private volatile long upstreamThread;
    private int status = Commands.STATUS_AUTOCOMMIT;
    private boolean deprecateEof;
    /** The database asked for the client's file: what the client sends until its empty packet goes upstream. */
    private boolean forwardingInfile;
    private int infileSeq;
    private volatile Approvals.Request holding;
    private String endReason;
    private ByteBuf endWhenIdle;

    ClientSession(GatewayContext context, MySqlListener listener, AtomicInteger connections) {
        this.context = context;
        this.listener = listener;
        this.connections = connections;
        this.id = context.sessions().nextId();
        RANDOM.nextBytes(scramble);
        for (int i = 0; i < scramble.length; i++) {
            scramble[i] = (byte) (1 + (scramble[i] & 0x7F) % 126); // printable-safe, never NUL
        }
    }

    @Override
    public long id() {
        return id;
    }

    /** The connection id the client is told (and names in KILL). */
    int connectionId() {
        return (int) id;
    }

    // ---- login ------------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        context.metrics().connectionOpened(PROTOCOL);
        int open = connections.incrementAndGet();
        if (open > context.config().limits().maxConnections()) {
            context.metrics().loginRefused(PROTOCOL, "too_many_connections");
            fatal(0, 1040, "08004", "Too many connections: the gateway allows "
                    + context.config().limits().maxConnections());
            return;
        }
        long timeout = context.config().limits().startupTimeout().toMillis();
        startupTimeout = ctx.executor().schedule(() -> {
            if (state != State.RELAY && state != State.CLOSED) {
                context.metrics().clientProtocolError(PROTOCOL, "startup_timeout");
                fatal(loginSeq, 1043, "08S01", "the login did not complete within " + timeout + " ms; closing the connection");
            }
        }, timeout, TimeUnit.MILLISECONDS);
        ByteBuf greeting = Packets.start(ctx.alloc(), 96);
        greeting.writeByte(10);
        Packets.writeNulString(greeting, listener.serverVersion());
        greeting.writeIntLE(connectionId());
        greeting.writeBytes(scramble, 0, 8).writeByte(0);
        int offered = listener.offered();
        greeting.writeShortLE(offered & 0xFFFF);
        greeting.writeByte(45); // utf8mb4_general_ci
        greeting.writeShortLE(Commands.STATUS_AUTOCOMMIT);
        greeting.writeShortLE(offered >>> 16);
        greeting.writeByte(21);
        greeting.writeZero(10);
        greeting.writeBytes(scramble, 8, 12).writeByte(0);
        Packets.writeNulString(greeting, "caching_sha2_password");
        Packets.write(ctx.channel(), greeting, 0);
        ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf packet = (ByteBuf) msg;
        if (state == State.CLOSED) {
            packet.release();
            return;
        }
        if (holding != null) {
            heldPackets.add(packet); // in order, behind the statement that waits for approval
            return;
        }
        if (state == State.RELAY) {
            onCommand(packet); // takes the packet
            return;
        }
        try {
            switch (state) {
                case AWAIT_RESPONSE -> onHandshakeResponse(packet);
                case AWAIT_TOKEN, AWAIT_SWITCH -> onToken(packet);
                default -> {
                    context.metrics().clientProtocolError(PROTOCOL, "unexpected_packet");
                    fatal(Packets.sequence(packet) + 1, 1043, "08S01", "Bad handshake: a packet arrived while the login was being checked");
                }
            }
        } catch (IndexOutOfBoundsException e) {
            // Netty's message describes the buffer, not the client's mistake
            context.metrics().clientProtocolError(PROTOCOL, "malformed");
            fatal(loginSeq, 1043, "08S01", "Bad handshake: a field of the packet runs past its end");
        } catch (IllegalArgumentException e) {
            context.metrics().clientProtocolError(PROTOCOL, "malformed");
            fatal(loginSeq, 1043, "08S01", "Bad handshake: " + e.getMessage());
        } finally {
            packet.release();
        }
    }

    private void onHandshakeResponse(ByteBuf packet) {
        loginSeq = Packets.sequence(packet) + 1;
        ByteBuf in = packet.slice(packet.readerIndex() + 4, Packets.payloadLength(packet));
        if (in.readableBytes() < 4) {
            throw new IllegalArgumentException("the handshake response is too short");
        }
        int caps = in.readIntLE();
        if ((caps & Capabilities.PROTOCOL_41) != 0 && in.readableBytes() < 28) {
            // a 4.1 response has 32 fixed bytes before the user name (MySQL: "Bad handshake")
            throw new IllegalArgumentException("the handshake response is too short");
        }
        if ((caps & Capabilities.PROTOCOL_41) == 0) {
            context.metrics().loginRefused(PROTOCOL, "old_protocol");
            fatal(loginSeq, 1251, "08004", "Client does not support authentication protocol requested by server;"
                    + " the gateway needs the 4.1 protocol");
            return;
        }
        in.skipBytes(4); // max packet
        charset = in.readUnsignedByte();
        in.skipBytes(23);
        if (!in.isReadable() && (caps & Capabilities.SSL) != 0) {
            startTls();
            return;
        }
        clientCapabilities = caps & listener.offered();
        user = Packets.readNulString(in);
        byte[] auth;
        if ((caps & Capabilities.PLUGIN_AUTH_LENENC_DATA) != 0) {
            auth = Packets.readLenencBytes(in);
        } else if ((caps & Capabilities.SECURE_CONNECTION) != 0) {
            int length = in.readUnsignedByte();
            auth = new byte[length];
            in.readBytes(auth);
        } else {
            auth = Packets.readNulString(in).getBytes(StandardCharsets.UTF_8);
        }
        if ((caps & Capabilities.CONNECT_WITH_DB) != 0 && in.isReadable()) {
            database = Packets.readNulString(in);
        }
        String plugin = (caps & Capabilities.PLUGIN_AUTH) != 0 && in.isReadable() ? Packets.readNulString(in) : "";
        if ((caps & Capabilities.CONNECT_ATTRS) != 0 && in.isReadable()) {
            attributes = readAttributes(in);
        }
        if (user.isEmpty()) {
            context.metrics().loginRefused(PROTOCOL, "no_user");
            refuseLogin(1045, "28000", "Access denied: no user name given");
            return;
        }
        boolean tls = tls();
        if (!tls && !(context.config().clientAuth().allowCleartextOnLoopback() && isLoopback())) {
            context.metrics().loginRefused(PROTOCOL, "tls_required");
            refuseLogin(1045, "28000", "Access denied for user '" + user + "': the gateway requires an encrypted"
                    + " connection (connect with --ssl, or sslMode=REQUIRED)");
            return;
        }
        switch (plugin) {
            case "mysql_clear_password" -> login(stripNul(auth));
            case "caching_sha2_password" -> {
                if (auth == null || auth.length == 0) {
                    context.metrics().loginRefused(PROTOCOL, "empty_password");
                    refuseLogin(1045, "28000", "Access denied for user '" + user + "' (using password: NO):"
                            + " send the gateway credentials (a token) as the password");
                } else if (tls && readsOldServerAuthMoreData()) {
                    switchTo("mysql_clear_password");
                } else if (tls) {
                    fullAuthentication();
                } else {
                    switchTo("mysql_clear_password");
                }
            }
            default -> {
                if ((caps & Capabilities.PLUGIN_AUTH) == 0) {
                    context.metrics().loginRefused(PROTOCOL, "no_plugin_auth");
                    fatal(loginSeq, 1251, "08004", "Client does not support authentication protocol requested by server");
                    return;
                }
                switchTo(tls ? "caching_sha2_password" : "mysql_clear_password");
            }
        }
    }

    /**
     * MySQL Connector/J takes a server that presents itself as {@code 5.5.5-...} (MariaDB's prefix,
     * relayed from the database) for one older than 5.5.16 and reads "perform full authentication"
     * without its 0x01 header, failing with "Unknown server response after fast auth"; over TLS
     * the clear-text plugin carries the token as safely, so such a client is switched to it.
     */
    private boolean readsOldServerAuthMoreData() {
        return listener.serverVersion().startsWith("5.5.5-")
                && "MySQL Connector/J".equals(attributes.get("_client_name"));
    }

    private void startTls() {
        if (context.clientTls().isEmpty() || tls()) {
            context.metrics().clientProtocolError(PROTOCOL, "ssl_request");
            fatal(loginSeq, 1043, "08S01", "Bad handshake: TLS is not available on this listener");
            return;
        }
        ctx.pipeline().addFirst("tls", context.clientTls().get().newHandler(ctx.alloc()));
        // a client sends its TLS ClientHello right after the request, often in the same read: what the
        // decoder holds beyond the request is TLS and goes to the new handler (which answers it
        // without passing plain data on while the handshake runs)
        ByteBuf early = ctx.pipeline().get(PacketDecoder.class).takeBufferedBytes();
        if (early != null) {
            ctx.pipeline().fireChannelRead(early);
        }
    }

    private void fullAuthentication() {
        ByteBuf more = Packets.start(ctx.alloc(), 2);
        more.writeByte(0x01).writeByte(0x04); // perform full authentication
        loginSeq = Packets.write(ctx.channel(), more, loginSeq);
        ctx.flush();
        state = State.AWAIT_TOKEN;
    }

    private void switchTo(String plugin) {
        ByteBuf request = Packets.start(ctx.alloc(), 48);
        request.writeByte(Packets.EOF);
        Packets.writeNulString(request, plugin);
        request.writeBytes(scramble).writeByte(0);
        loginSeq = Packets.write(ctx.channel(), request, loginSeq);
        ctx.flush();
        state = "caching_sha2_password".equals(plugin) ? State.AWAIT_SWITCH : State.AWAIT_TOKEN;
    }

    /** The answer to full authentication or to an auth switch. */
    private void onToken(ByteBuf packet) {
        loginSeq = Packets.sequence(packet) + 1;
        byte[] data = new byte[Packets.payloadLength(packet)];
        packet.getBytes(packet.readerIndex() + 4, data);
        if (state == State.AWAIT_SWITCH) {
            // switched to caching_sha2_password: its scramble first, then the password itself
            if (data.length == 0) {
                context.metrics().loginRefused(PROTOCOL, "empty_password");
                refuseLogin(1045, "28000", "Access denied for user '" + user + "' (using password: NO)");
                return;
            }
            fullAuthentication();
            return;
        }
        if (data.length == 1 && data[0] == 0x02) {
            context.metrics().loginRefused(PROTOCOL, "rsa_requested");
            refuseLogin(1045, "28000", "Access denied for user '" + user + "': the gateway takes the token over TLS"
                    + " (--ssl) or mysql_clear_password, not RSA-encrypted: a token is longer than one RSA block");
            return;
        }
        login(stripNul(data));
    }

    private static byte[] stripNul(byte[] data) {
        if (data == null) {
            return new byte[0];
        }
        int end = data.length;
        while (end > 0 && data[end - 1] == 0) {
            end--;
        }
        return end == data.length ? data : java.util.Arrays.copyOf(data, end);
    }

    private void login(byte[] secret) {
        state = State.LOGGING_IN;
        ctx.channel().config().setAutoRead(false);
        if (secret.length == 0) {
            context.metrics().loginRefused(PROTOCOL, "empty_password");
            refuseLogin(1045, "28000", "Access denied for user '" + user + "' (using password: NO):"
                    + " send the gateway credentials (a token) as the password");
            return;
        }
        Credentials credentials = new Credentials(user, new String(secret, StandardCharsets.UTF_8),
                (InetSocketAddress) ctx.channel().remoteAddress(), tls());
        context.identities().resolveAsync(credentials).whenComplete((resolved, error) ->
                ctx.channel().eventLoop().execute(() -> onIdentity(resolved, error)));
    }

    private void onIdentity(Identity resolved, Throwable error) {
        if (state != State.LOGGING_IN) {
            return;
        }
        if (error != null) {
            if (error instanceof AuthenticationException refused) {
                context.metrics().loginRefused(PROTOCOL, refused.reason());
                log.info("session {}: login refused for user \"{}\" from {}: {}", id, user,
                        ctx.channel().remoteAddress(), refused.getMessage());
                refuseLogin(1045, "28000", "Access denied for user '" + user + "': " + refused.getMessage());
            } else {
                log.error("session {}: identity check failed", id, error);
                context.metrics().loginRefused(PROTOCOL, "internal_error");
                refuseLogin(1045, "28000", "the gateway could not check the credentials; try again later");
            }
            return;
        }
        identity = resolved;
        String defaultTarget = context.config().listeners().mysql().defaultTarget();
        String targetName = database != null && !database.isEmpty() ? database : defaultTarget != null ? defaultTarget : user;
        var found = context.targets().find(targetName, TargetConfig.Protocol.MYSQL);
        if (found.isEmpty()) {
            context.metrics().loginRefused(PROTOCOL, "unknown_target");
            refuseLogin(1049, "42000", "Unknown database '" + targetName + "': name a configured MySQL target as the database");
            return;
        }
        target = found.get();
        var refusal = context.connectPolicy().refusal(identity, target);
        if (refusal.isPresent()) {
            var rule = refusal.get();
            context.metrics().loginRefused(PROTOCOL, "access_rule");
            log.info("session {}: access rule {} refuses {} ({}) on target {}", id, rule.id(), identity.label(),
                    identity.subject(), target.name());
            refuseLogin(1044, "42000", "Access denied: access rule \"" + rule.id() + "\" does not let " + identity.label()
                    + " use target '" + target.name() + "'" + (rule.description() == null ? "" : ": " + rule.description()));
            return;
        }
        governance = new SessionGovernance(context, id, identity, target, SessionGovernance.RowEstimator.NONE,
                ctx.channel().eventLoop());
        var auditRefusal = governance.auditRefusal();
        if (auditRefusal.isPresent()) {
            context.metrics().loginRefused(PROTOCOL, "audit_unavailable");
            log.warn("session {}: login of {} to {} refused: {}", id, identity.label(), target.name(), auditRefusal.get());
            refuseLogin(1053, "08S01", auditRefusal.get() + "; try again later");
            return;
        }
        meters = context.metrics().target(target.name(), PROTOCOL);
        var login = new UpstreamHandler.Login(UpstreamAccount.of(target, identity), target.upstream().database(),
                clientCapabilities, charset == 0 ? 45 : charset, upstreamAttributes());
        listener.connector().connect(ctx.channel().eventLoop(), target, login, this).addListener(f -> {
            if (!f.isSuccess()) {
                upstreamFailed(null, f.cause().toString());
            } else if (state == State.CLOSED) {
                ((io.netty.channel.ChannelFuture) f).channel().close();
            } else {
                upstream = ((io.netty.channel.ChannelFuture) f).channel();
            }
        });
    }

    /** The client's connection attributes, with the caller's identity added (the database's own views show them). */
    private Map<String, String> upstreamAttributes() {
        Map<String, String> attrs = new LinkedHashMap<>();
        attributes.forEach((k, v) -> {
            if (!k.startsWith("parapet")) {
                attrs.put(k, v);
            }
        });
        attrs.put("parapet_identity", identity.handle());
        attrs.put("parapet_subject", identity.subject());
        attrs.put("parapet_session", Long.toString(id));
        String program = attributes.getOrDefault("program_name", "");
        attrs.put("program_name", "parapet:" + identity.handle() + (program.isEmpty() ? "" : " " + program));
        return attrs;
    }

    private static Map<String, String> readAttributes(ByteBuf in) {
        long length = Packets.readLenenc(in);
        if (length < 0 || length > in.readableBytes()) {
            throw new IllegalArgumentException("the connection attributes run past the packet");
        }
        ByteBuf attrs = in.readSlice((int) length);
        Map<String, String> out = new LinkedHashMap<>();
        while (attrs.isReadable() && out.size() < 256) {
            String key = Packets.readLenencString(attrs);
            String value = Packets.readLenencString(attrs);
            out.put(key, value == null ? "" : value);
        }
        return out;
    }

    @Override
    public void upstreamReady(ServerGreeting greeting, int capabilities, int serverStatus) {
        if (state != State.LOGGING_IN || upstream == null) {
            if (upstream != null) {
                upstream.close();
            }
            return;
        }
        upstreamThread = greeting.connectionId();
        deprecateEof = (capabilities & Capabilities.DEPRECATE_EOF) != 0;
        status = serverStatus == 0 ? Commands.STATUS_AUTOCOMMIT : serverStatus;
        Optional<String> role = UpstreamAccount.of(target, identity).role();
        if (role.isPresent()) {
            state = State.SETTING_ROLE;
            ByteBuf query = Packets.start(ctx.alloc(), 32);
            query.writeByte(Commands.QUERY).writeCharSequence("SET ROLE `" + role.get().replace("`", "``") + "`",
                    StandardCharsets.UTF_8);
            Packets.write(upstream, query, 0);
            upstream.flush();
            return;
        }
        loggedIn();
    }

    private void loggedIn() {
        meters.upstreamConnect(System.nanoTime() - startedNanos);
        ByteBuf ok = Packets.ok(ctx.alloc(), Packets.OK, 0, status, 0);
        Packets.write(ctx.channel(), ok, loginSeq);
        ctx.flush();
        state = State.RELAY;
        startupTimeout.cancel(false);
        context.sessions().add(this);
        listener.register(this);
        meters.login();
        scheduleTokenExpiry();
        log.info("session {}: {} ({}) connected to MySQL target {} from {}", id, identity.label(), identity.kind(),
                target.name(), ctx.channel().remoteAddress());
        audit = context.audit().session(facts());
        governance.audit(audit);
        audit.connected();
        Backpressure.link(ctx.channel(), upstream);
        ctx.channel().config().setAutoRead(upstream.isWritable());
    }

    private void scheduleTokenExpiry() {
        if (context.config().identity().onTokenExpiry() != IdentityConfig.OnExpiry.END) {
            return;
        }
        identity.expiresAt().ifPresent(expiry -> {
            long delay = Math.max(0, expiry.toEpochMilli() - System.currentTimeMillis());
            tokenExpiry = ctx.executor().schedule(() -> {
                log.info("session {}: the token of {} expired at {}; ending the session", id, identity.label(), expiry);
                endWhenIdle(Packets.error(ctx.alloc(), 1045, "28000", "the session's token expired at " + expiry
                        + "; reconnect with a fresh token"));
            }, delay, TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void upstreamFailed(Packets.Error error, String detail) {
        if (meters != null) {
            meters.upstreamError();
        }
        log.warn("session {}: cannot open target {} for {}: {}{}", id, target == null ? "?" : target.name(),
                identity == null ? "?" : identity.label(), detail, error == null ? "" : " (" + error.code() + " "
                        + error.message() + ")");
        context.metrics().loginRefused(PROTOCOL, "upstream_unavailable");
        if (state != State.CLOSED) {
            refuseLogin(2003, "HY000", "target '" + (target == null ? "?" : target.name())
                    + "' is unavailable: the gateway cannot connect to its database");
        }
    }

    // ---- commands ---------------------------------------------------------------------------

    private void onCommand(ByteBuf packet) {
        if (forwardingInfile) {
            // the client's file, packet by packet, until an empty one
            boolean last = Packets.payloadLength(packet) == 0;
            infileSeq = Packets.write(upstream, packet, infileSeq);
            if (last) {
                forwardingInfile = false;
            }
            return;
        }
        int seq = (Packets.sequence(packet) + 1) & 0xFF;
        int command = Packets.first(packet);
        if (Packets.sequence(packet) != 0 && Packets.payloadLength(packet) < Packets.MAX_PHYSICAL) {
            packet.release();
            context.metrics().clientProtocolError(PROTOCOL, "sequence");
            fatal(seq, 1156, "08S01", "Got packets out of order: a command must start with sequence id 0");
            return;
        }
        boolean statementCommand = command == Commands.STMT_EXECUTE || command == Commands.STMT_FETCH
                || command == Commands.STMT_CLOSE || command == Commands.STMT_RESET || command == Commands.STMT_SEND_LONG_DATA;
        if (statementCommand && Packets.payloadLength(packet) < (command == Commands.STMT_EXECUTE
                || command == Commands.STMT_FETCH ? 9 : 5)) {
            packet.release();
            context.metrics().clientProtocolError(PROTOCOL, "malformed");
            fatal(seq, 1835, "08S01", "Malformed communication packet: " + Commands.name(command) + " is too short");
            return;
        }
        meters.bytesToUpstream(packet.readableBytes());
        switch (command) {
            case Commands.QUERY -> {
                meters.statement();
                String sql = text(packet, 1);
                StatementGate.Judgement judgement = governance.judge(sql, false);
                if (kills(judgement.analysis())) {
                    Matcher kill = KILL.matcher(sql);
                    packet.release();
                    kill(sql, kill.matches() ? kill : null, seq, judgement);
                    return;
                }
                if (SessionGovernance.held(judgement)) {
                    hold(packet, sql, judgement, seq);
                    return;
                }
                query(packet, sql, judgement, seq);
            }
            case Commands.STMT_PREPARE -> {
                meters.statement();
                String sql = text(packet, 1);
                int generation = context.statements().generation();
                StatementGate.Judgement judgement = governance.judge(sql, false);
                if (SessionGovernance.held(judgement)) {
                    hold(packet, sql, judgement, seq);
                    return;
                }
                prepare(packet, sql, judgement, generation, seq);
            }
            case Commands.STMT_EXECUTE -> execute(packet, seq);
            case Commands.STMT_FETCH -> {
                long statementId = packet.getUnsignedIntLE(packet.readerIndex() + 5);
                Exchange exchange = new Exchange(command, Exchange.Shape.FETCH, seq);
                PreparedStatements.Statement statement = prepared.get(statementId);
                if (statement == null) {
                    packet.release();
                    answer(command, seq, unknownStatement(statementId, "mysqld_stmt_fetch"));
                    return;
                }
                exchange.statement = statement;
                exchange.rows = statement.cursorRows;
                exchange.audited = new AuditedStatement(statement.sql, statement.judgement, "prepared");
                allowOf(statement.judgement).flatMap(Decision.Allow::rowLimit).ifPresent(l -> exchange.rowLimit = l);
                relay(exchange, packet);
            }
            case Commands.STMT_SEND_LONG_DATA -> {
                long statementId = packet.getUnsignedIntLE(packet.readerIndex() + 5);
                if (prepared.get(statementId) == null) {
                    packet.release(); // no answer is owed; the execute that follows is refused
                    return;
                }
                Packets.write(upstream, packet, 0);
            }
            case Commands.STMT_CLOSE -> {
                long statementId = packet.getUnsignedIntLE(packet.readerIndex() + 5);
                if (prepared.get(statementId) == null) {
                    packet.release(); // not one the gateway saw prepared (MariaDB's -1, "the last one", included)
                    return;
                }
                prepared.remove(statementId);
                Packets.write(upstream, packet, 0);
            }
            case Commands.STMT_RESET -> {
                long statementId = packet.getUnsignedIntLE(packet.readerIndex() + 5);
                if (prepared.get(statementId) == null) {
                    packet.release();
                    answer(command, seq, unknownStatement(statementId, "mysqld_stmt_reset"));
                    return;
                }
                relay(new Exchange(command, Exchange.Shape.ONE, seq), packet);
            }
            case Commands.PING, Commands.SET_OPTION, Commands.STATISTICS,
                    Commands.RESET_CONNECTION -> {
                if (command == Commands.RESET_CONNECTION) {
                    prepared.clear();
                }
                relay(new Exchange(command, Exchange.Shape.ONE, seq), packet);
            }
            case Commands.INIT_DB -> initDb(packet, seq);
            case Commands.FIELD_LIST -> fieldList(packet, seq);
            case Commands.QUIT -> {
                packet.release();
                endReason = "the client ended the session";
                if (upstream != null && upstream.isActive()) {
                    ByteBuf quit = Packets.start(ctx.alloc(), 1).writeByte(Commands.QUIT);
                    Packets.write(upstream, quit, 0);
                    upstream.flush();
                    upstream.close();
                }
                closeQuietly();
            }
            case Commands.CHANGE_USER -> {
                packet.release();
                context.metrics().clientProtocolError(PROTOCOL, "change_user");
                fatal(seq, 1045, "28000", "COM_CHANGE_USER is not available through the gateway: reconnect with"
                        + " the other identity's token");
            }
            default -> {
                packet.release();
                context.metrics().clientProtocolError(PROTOCOL, "unknown_command");
                answer(command, seq, error(1047, "08S01", "Unknown command: " + Commands.name(command)
                        + " is not available through the gateway"));
            }
        }
    }

    /**
     * Whether any statement of the string is a KILL, however it is written (comments, executable
     * comments, behind other statements): read from the analysis' normalised text, one statement
     * per {@code ;}. Such a string never goes to the database as it is, since the ids in it are
     * the gateway's, not the database's.
     */
    private static boolean kills(StatementAnalysis analysis) {
        String shape = analysis.fingerprint();
        int at = 0;
        while (at < shape.length()) {
            while (at < shape.length() && (shape.charAt(at) == ' ' || shape.charAt(at) == ';')) {
                at++;
            }
            if (shape.regionMatches(true, at, "kill", 0, 4)
                    && (at + 4 == shape.length() || !Character.isLetterOrDigit(shape.charAt(at + 4)) && shape.charAt(at + 4) != '_')) {
                return true;
            }
            int next = shape.indexOf(';', at);
            if (next < 0) {
                return false;
            }
            at = next + 1;
        }
        return false;
    }

    private ByteBuf unknownStatement(long statementId, String where) {
        return error(1243, "HY000", "Unknown prepared statement handler (" + statementId + ") given to " + where);
    }

    private static Optional<Decision.Allow> allowOf(StatementGate.Judgement judgement) {
        return judgement != null && judgement.decision() instanceof Decision.Allow allow ? Optional.of(allow) : Optional.empty();
    }

    private static String text(ByteBuf packet, int skip) {
        int at = packet.readerIndex() + 4 + skip;
        return packet.toString(at, Math.max(0, packet.writerIndex() - at), StandardCharsets.UTF_8);
    }

    private void query(ByteBuf packet, String sql, StatementGate.Judgement judgement, int seq) {
        AuditedStatement audited = new AuditedStatement(sql, judgement, "simple");
        if (refuse(judgement, audited, Commands.QUERY, seq)) {
            packet.release();
            return;
        }
        Exchange exchange = new Exchange(Commands.QUERY, Exchange.Shape.RESULTS, seq);
        exchange.audited = audited;
        if (!prepareResults(exchange, judgement, Commands.QUERY, seq)) {
            packet.release();
            return;
        }
        exchange.localInfileAllowed = readsClientFile(judgement.analysis());
        relay(exchange, packet);
    }

    /** Sets up masking and row limits for a statement's results; false when it was refused instead. */
    private boolean prepareResults(Exchange exchange, StatementGate.Judgement judgement, int command, int seq) {
        Decision.Allow allow = (Decision.Allow) judgement.decision();
        if (!allow.hiddenColumns().isEmpty() && command == Commands.QUERY) {
            exchange.hidden = allow.hiddenColumns(); // text results are narrowed as they come
            exchange.heldColumns = new ArrayList<>();
        } else if (!allow.hiddenColumns().isEmpty()) {
            // a prepared statement's columns were announced at prepare: refuse rather than show them
            AuditedStatement audited = exchange.audited;
            String message = "the statement returns columns a rule hides (" + String.join(", ", allow.hiddenColumns())
                    + "); name the columns you need instead of *";
            if (audited != null) {
                audited.failed("42000", message);
                record(audited);
            }
            answer(command, seq, error(1143, "42000", message));
            return false;
        }
        exchange.masking = judgement.masking().orElse(null);
        exchange.rowLimit = allow.rowLimit().orElse(null);
        if (exchange.masking != null || !exchange.hidden.isEmpty()) {
            exchange.baseTables = baseTables(judgement.analysis());
        }
        return true;
    }

    private static boolean readsClientFile(StatementAnalysis analysis) {
        if (!(analysis instanceof StatementAnalysis.Analyzed analyzed)) {
            return false;
        }
        for (StatementInfo statement : analyzed.executedStatements()) {
            if (statement.serverAccess().contains(dev.parapet.policy.ServerAccess.READS_CLIENT_FILE)) {
                return true;
            }
        }
        return false;
    }

    private void prepare(ByteBuf packet, String sql, StatementGate.Judgement judgement, int generation, int seq) {
        if (kills(judgement.analysis()) && judgement.decision() instanceof Decision.Allow) {
            AuditedStatement audited = new AuditedStatement(sql, judgement, "prepared");
            audited.failed("HY000", "KILL cannot be prepared through the gateway");
            record(audited);
            packet.release();
            answer(Commands.STMT_PREPARE, seq, error(1295, "HY000", "KILL cannot be prepared through the gateway: run it"
                    + " as a statement, with the connection id the gateway gave"));
            return;
        }
        if (!(judgement.decision() instanceof Decision.Allow)) {
            AuditedStatement audited = new AuditedStatement(sql, judgement, "prepared");
            refuse(judgement, audited, Commands.STMT_PREPARE, seq);
            packet.release();
            return;
        }
        Exchange exchange = new Exchange(Commands.STMT_PREPARE, Exchange.Shape.PREPARE, seq);
        exchange.statement = new PreparedStatements.Statement(sql, judgement, generation);
        relay(exchange, packet);
    }

    private void execute(ByteBuf packet, int seq) {
        meters.statement();
        long statementId = packet.getUnsignedIntLE(packet.readerIndex() + 5);
        PreparedStatements.Statement statement = prepared.get(statementId);
        Exchange exchange = new Exchange(Commands.STMT_EXECUTE, Exchange.Shape.RESULTS, seq);
        exchange.binary = true;
        if (statement == null) {
            // only statements the gateway saw prepared run: MariaDB also takes -1 for "the last one
            // prepared", which would run it without what the gateway decided for it (its masking)
            packet.release();
            answer(Commands.STMT_EXECUTE, seq, unknownStatement(statementId, "mysqld_stmt_execute"));
            return;
        }
        int generation = context.statements().generation();
        if (statement.generation != generation) {
            // the policy changed since it was prepared: judged again
            statement.judgement = governance.judge(statement.sql, false);
            statement.generation = generation;
        }
        StatementGate.Judgement judgement = statement.judgement;
        if (judgement.decision() instanceof Decision.Allow) {
            Optional<String> auditRefusal = governance.auditRefusal();
            if (auditRefusal.isPresent()) {
                judgement = new StatementGate.Judgement(SessionGovernance.auditDenial(auditRefusal.get()),
                        Optional.empty(), false, judgement.analysis());
            }
        }
        AuditedStatement audited = new AuditedStatement(statement.sql, judgement, "prepared");
        if (refuse(judgement, audited, Commands.STMT_EXECUTE, seq)) {
            packet.release();
            return;
        }
        exchange.audited = audited;
        exchange.statement = statement;
        if (!prepareResults(exchange, judgement, Commands.STMT_EXECUTE, seq)) {
            packet.release();
            return;
        }
        relay(exchange, packet);
    }

    private void initDb(ByteBuf packet, int seq) {
        meters.statement();
        String name = text(packet, 1);
        String upstreamName = name.equals(target.name()) && target.upstream().database() != null
                ? target.upstream().database() : name;
        String sql = "USE `" + upstreamName.replace("`", "``") + "`";
        StatementGate.Judgement judgement = governance.judge(sql, false);
        AuditedStatement audited = new AuditedStatement(sql, judgement, "simple");
        if (refuse(judgement, audited, Commands.INIT_DB, seq)) {
            packet.release();
            return;
        }
        ByteBuf out = packet;
        if (!upstreamName.equals(name)) {
            packet.release();
            out = Packets.start(ctx.alloc(), upstreamName.length() + 1);
            out.writeByte(Commands.INIT_DB).writeCharSequence(upstreamName, StandardCharsets.UTF_8);
        }
        Exchange exchange = new Exchange(Commands.INIT_DB, Exchange.Shape.ONE, seq);
        exchange.audited = audited;
        relay(exchange, out);
    }

    private void fieldList(ByteBuf packet, int seq) {
        meters.statement();
        int at = packet.readerIndex() + 5;
        int nul = packet.indexOf(at, packet.writerIndex(), (byte) 0);
        String table = packet.toString(at, (nul < 0 ? packet.writerIndex() : nul) - at, StandardCharsets.UTF_8);
        String sql = "SELECT * FROM `" + table.replace("`", "``") + "` LIMIT 0";
        StatementGate.Judgement judgement = governance.judge(sql, false);
        AuditedStatement audited = new AuditedStatement(sql, judgement, "field-list");
        if (refuse(judgement, audited, Commands.FIELD_LIST, seq)) {
            packet.release();
            return;
        }
        Exchange exchange = new Exchange(Commands.FIELD_LIST, Exchange.Shape.FIELDS, seq);
        exchange.audited = audited;
        relay(exchange, packet);
    }

    /**
     * KILL names a connection by the id the client was told, which is the gateway's, not the
     * database's: the gateway finds that session and, when it belongs to the same identity,
     * withdraws its held statement or kills its database thread (on the same target); any other
     * KILL is refused, since the database's ids mean nothing to a client of the gateway.
     */
    private void kill(String sql, Matcher kill, int seq, StatementGate.Judgement judgement) {
        AuditedStatement audited = new AuditedStatement(sql, judgement, "simple");
        if (refuse(judgement, audited, Commands.QUERY, seq)) {
            return;
        }
        if (kill == null) {
            audited.failed("HY000", "unsupported KILL form");
            record(audited);
            answer(Commands.QUERY, seq, error(1095, "HY000", "the gateway only runs KILL [QUERY | CONNECTION] <id>,"
                    + " with the connection id the gateway gave"));
            return;
        }
        boolean queryOnly = kill.group(1) != null && kill.group(1).equalsIgnoreCase("query");
        long victimId = Long.parseLong(kill.group(2));
        ClientSession victim = listener.session(victimId);
        if (victim == null || !victim.sameCaller(identity)) {
            // CONNECTION_ID() inside a session gives the database's thread id: the caller's own session on this target
            victim = listener.sessionOnDatabase(target.name(), victimId, identity);
        }
        if (victim == null || !victim.sameCaller(identity)) {
            audited.failed("HY000", "unknown thread " + victimId);
            record(audited);
            answer(Commands.QUERY, seq, error(1094, "HY000", "Unknown thread id: " + victimId));
            return;
        }
        final ClientSession found = victim;
        if (found.withdrawHeld("the client killed the statement")) {
            audited.completed("KILL 0");
            record(audited);
            answer(Commands.QUERY, seq, Packets.ok(ctx.alloc(), Packets.OK, 0, status, 0));
            return;
        }
        if (!found.target.name().equals(target.name()) || found.upstreamThread == 0) {
            audited.failed("HY000", "other target");
            record(audited);
            answer(Commands.QUERY, seq, error(1095, "HY000", "You are not owner of thread " + victimId
                    + " on this target: connect to its target to kill it"));
            return;
        }
        if (!queryOnly && found != this) {
            found.ctx.channel().eventLoop().execute(() -> found.endNow(1927, "70100", "Connection was killed"));
        }
        String upstreamKill = (queryOnly ? "KILL QUERY " : "KILL CONNECTION ") + found.upstreamThread;
        ByteBuf rewritten = Packets.start(ctx.alloc(), upstreamKill.length() + 1);
        rewritten.writeByte(Commands.QUERY).writeCharSequence(upstreamKill, StandardCharsets.UTF_8);
        Exchange exchange = new Exchange(Commands.QUERY, Exchange.Shape.RESULTS, seq);
        exchange.audited = audited;
        relay(exchange, rewritten);
    }

    /** The database thread id of the session's upstream connection (0 before it logged in). */
    long upstreamThread() {
        return upstreamThread;
    }

    String targetName() {
        return target == null ? null : target.name();
    }

    boolean sameCaller(Identity other) {
        return identity != null && identity.subject().equals(other.subject())
                && java.util.Objects.equals(identity.issuer(), other.issuer());
    }

    /**
     * Answers a statement the gateway refuses, with an ERR packet naming the rule; records it.
     * False when the judgement lets it run.
     */
    private boolean refuse(StatementGate.Judgement judgement, AuditedStatement audited, int command, int seq) {
        Decision decision = judgement.decision();
        switch (decision) {
            case Decision.Allow allow -> {
                allow.shadowed().forEach(v -> log.info("session {}: shadow rule {} would {} for {}: {}", id, v.ruleId(),
                        v.outcome() == Decision.Outcome.DENY ? "deny" : "hold for approval", identity.label(), v.reason()));
                return false;
            }
            case Decision.Deny deny -> {
                context.metrics().statementDenied(target.name(), deny.ruleId());
                log.info("session {}: {} denied on {}: {}", id, identity.label(), target.name(), deny.message());
                record(audited);
                answer(command, seq, denial(deny.sqlState(), deny.message(), deny.hint()));
                return true;
            }
            case Decision.RequireApproval approval -> {
                // reached only where a statement cannot wait (an execute judged again after a reload)
                context.metrics().statementDenied(target.name(), approval.ruleId());
                record(audited);
                answer(command, seq, denial("42501", "rule \"" + approval.ruleId() + "\" requires approval: "
                        + approval.reason(), "prepare the statement again to have it held for approval"));
                return true;
            }
        }
    }

    /** The ERR packet of a refusal, with MySQL's error number for its kind. */
    private ByteBuf denial(String sqlState, String message, String hint) {
        String text = message + (hint == null || hint.isBlank() ? "" : " (" + hint + ")");
        return switch (sqlState) {
            case "57014" -> error(1317, "70100", text);
            case "58000" -> error(1290, "HY000", text);
            case "42601" -> error(1064, "42000", text);
            default -> error(1142, "42000", text);
        };
    }

    private ByteBuf error(int code, String sqlState, String message) {
        return Packets.error(ctx.alloc(), code, sqlState, message);
    }

    /** Sends the gateway's own answer to a command, in its turn behind the answers still owed. */
    private void answer(int command, int seq, ByteBuf... packets) {
        Exchange exchange = Exchange.local(command, seq, packets);
        exchanges.add(exchange);
        drainLocal();
    }

    private void relay(Exchange exchange, ByteBuf packet) {
        exchanges.add(exchange);
        Packets.write(upstream, packet, 0);
        if (exchange.command == Commands.STMT_SEND_LONG_DATA || exchange.command == Commands.STMT_CLOSE) {
            exchanges.remove(exchange);
        }
    }

    /** Writes the gateway's own answers that are next in line. */
    private void drainLocal() {
        while (!exchanges.isEmpty() && exchanges.peek().local != null) {
            Exchange exchange = exchanges.poll();
            for (ByteBuf packet : exchange.local) {
                exchange.seq = Packets.write(ctx.channel(), packet, exchange.seq);
            }
            exchange.local.clear();
        }
        if (endWhenIdle != null && idle()) {
            ctx.flush();
            end();
        }
    }

    // ---- approvals --------------------------------------------------------------------------

    /**
     * Holds a statement a rule wants approved: opens the request and stops reading from the client
     * until it is decided (MySQL has no notices: the client waits; the approvers are told). What
     * the client sends meanwhile waits behind it. No thread waits.
     */
    private void hold(ByteBuf packet, String sql, StatementGate.Judgement judgement, int seq) {
        Approvals.Request request = governance.hold(judgement, sql);
        holding = request;
        ctx.channel().config().setAutoRead(false);
        request.outcome().whenComplete((outcome, failure) -> ctx.channel().eventLoop().execute(() ->
                release(packet, sql, request, outcome, seq)));
    }

    private void release(ByteBuf packet, String sql, Approvals.Request request, Approvals.Outcome outcome, int seq) {
        if (state == State.CLOSED) {
            packet.release();
            heldPackets.forEach(ByteBuf::release);
            heldPackets.clear();
            return;
        }
        holding = null;
        StatementGate.Judgement judgement = governance.decided(request, outcome, sql);
        if (Packets.first(packet) == Commands.STMT_PREPARE) {
            prepare(packet, sql, judgement, context.statements().generation(), seq);
        } else {
            query(packet, sql, judgement, seq);
        }
        ctx.channel().config().setAutoRead(upstream == null || upstream.isWritable());
        while (holding == null && state != State.CLOSED && !heldPackets.isEmpty()) {
            channelRead(ctx, heldPackets.poll());
        }
        ctx.flush();
        if (upstream != null) {
            upstream.flush();
        }
    }

    /** Withdraws the request of a statement waiting for approval; true when one waited. */
    boolean withdrawHeld(String why) {
        Approvals.Request request = holding;
        if (request == null) {
            return false;
        }
        context.approvals().withdraw(request.id(), why);
        return true;
    }

    // ---- the database's answers -------------------------------------------------------------

    @Override
    public void upstreamPacket(ByteBuf packet) {
        if (state == State.SETTING_ROLE) {
            try {
                if (Packets.first(packet) == Packets.OK) {
                    loggedIn();
                } else {
                    Packets.Error error = Packets.Error.of(packet);
                    log.warn("session {}: the database refused the role of {}: {}", id, identity.label(), error.message());
                    refuseLogin(1045, "28000", "the gateway could not switch to the database role configured for "
                            + identity.label());
                }
            } finally {
                packet.release();
            }
            return;
        }
        if (state != State.RELAY) {
            packet.release();
            return;
        }
        meters.bytesToClient(packet.readableBytes());
        Exchange exchange = exchanges.peek();
        if (exchange == null || exchange.local != null) {
            // nothing asked for (a server's notice before it closes the connection): passed on as it is
            ctx.write(packet, ctx.voidPromise());
            return;
        }
        try {
            boolean done = ResponseFollower.follow(this, exchange, packet);
            if (done) {
                exchanges.poll();
                finish(exchange);
                drainLocal();
            }
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            log.warn("session {}: the database's answer could not be followed: {}", id, e.toString());
            endNow(2027, "HY000", "the gateway could not read the database's answer; the session is closed");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (upstream != null && state == State.RELAY) {
            upstream.flush();
            ctx.flush(); // the gateway's own answers
        }
    }

    @Override
    public void upstreamReadComplete() {
        ctx.flush();
    }

    /** Called by the follower: a packet for the client, in the exchange's sequence. */
    void toClient(Exchange exchange, ByteBuf packet) {
        exchange.seq = Packets.write(ctx.channel(), packet, exchange.seq);
    }

    /** The masking of a result whose columns are now known, or null when its rows go through untouched. */
    RowMasking rowsOf(Exchange exchange) {
        if (exchange.masking == null) {
            return null;
        }
        PlannedRows planned = plans.get(exchange.masking);
        if (planned == null || !planned.columns().equals(exchange.columns) || planned.binary() != exchange.binary) {
            planned = plan(exchange);
            if (plans.size() >= 64) {
                plans.clear();
            }
            plans.put(exchange.masking, planned);
        }
        MaskPlan plan = planned.plan();
        if (exchange.audited != null && !exchange.maskedRecorded) {
            exchange.maskedRecorded = true;
            exchange.audited.masked(planned.labels(), plan.actions(), plan.reasons());
        }
        if (planned.rows() == null) {
            return null;
        }
        context.metrics().resultRewritten(target.name(), exchange.masking.directive().ruleId());
        return planned.rows();
    }

    /** The masking of one result shape of a statement: worked out once, used for every result of that shape. */
    private record PlannedRows(List<ColumnDefinition> columns, boolean binary, List<String> labels, MaskPlan plan,
            RowMasking rows) {
    }

    /** The session's recent result plans by statement masking (shared per query shape, compared by identity). */
    private final Map<dev.parapet.core.MaskPlanner.StatementMasking, PlannedRows> plans = new java.util.IdentityHashMap<>();

    private PlannedRows plan(Exchange exchange) {
        List<ColumnDefinition> definitions = List.copyOf(exchange.columns);
        List<ResultColumn> columns = new ArrayList<>(definitions.size());
        for (ColumnDefinition column : definitions) {
            columns.add(traced(column, exchange.baseTables)
                    ? new ResultColumn(column.schema(), column.orgTable(), column.orgName(), column.name(), column.columnType())
                    : ResultColumn.untraced(column.name(), column.columnType()));
        }
        MaskPlan plan = context.statements().masks().plan(exchange.masking, columns);
        return new PlannedRows(definitions, exchange.binary, columns.stream().map(ResultColumn::label).toList(), plan,
                plan.masksNothing() ? null : new RowMasking(plan, definitions, exchange.binary));
    }

    /**
     * Whether a result column's origin can be trusted: it names a column of one of the tables the
     * statement reads. MariaDB gives a derived table's alias as the origin of its columns, and a
     * name that is not a table read is no origin to classify by.
     */
    static boolean traced(ColumnDefinition column, java.util.Set<String> baseTables) {
        String origin = column.orgTable();
        return origin != null && !origin.isEmpty() && column.orgName() != null && !column.orgName().isEmpty()
                && baseTables.contains(origin.toLowerCase(Locale.ROOT));
    }

    private static java.util.Set<String> baseTables(StatementAnalysis analysis) {
        if (!(analysis instanceof StatementAnalysis.Analyzed analyzed)) {
            return java.util.Set.of();
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (StatementInfo statement : analyzed.executedStatements()) {
            statement.tablesRead().forEach(table -> names.add(table.name().toLowerCase(Locale.ROOT)));
        }
        return names;
    }

    /** The refusal of a result whose hidden columns cannot be told apart. */
    ByteBuf narrowingRefusal(Exchange exchange, boolean all) {
        String message = all ? "every column of the result is one a rule hides (" + String.join(", ", exchange.hidden) + ")"
                : "the result has computed columns the gateway cannot tell apart from the ones a rule hides ("
                + String.join(", ", exchange.hidden) + "); name the columns you need";
        return error(1143, "42000", message);
    }

    dev.parapet.masking.CellMasker masker() {
        return context.statements().masks().masker();
    }

    io.netty.buffer.ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    boolean deprecateEof() {
        return deprecateEof;
    }

    void status(int serverStatus) {
        boolean wasIn = (status & Commands.STATUS_IN_TRANS) != 0;
        status = serverStatus;
        if (!wasIn && (serverStatus & Commands.STATUS_IN_TRANS) != 0) {
            transactions++;
        }
    }

    /** The database asks for the client's file (LOAD DATA LOCAL): passed on only when the policy allowed the statement. */
    void localInfile(Exchange exchange, ByteBuf request) {
        if (exchange.localInfileAllowed) {
            infileSeq = Packets.sequence(request) + 1;
            toClient(exchange, request);
            forwardingInfile = true;
            return;
        }
        log.warn("session {}: the database of target {} asked the client for a file its statement did not name;"
                + " refused", id, target.name());
        request.release();
        exchange.refusedInfile = error(1148, "42000", "LOAD DATA LOCAL is not allowed here: the database asked for"
                + " a file the statement did not load");
        ByteBuf empty = Packets.start(ctx.alloc(), 0);
        Packets.write(upstream, empty, Packets.sequence(request) + 1);
        upstream.flush();
    }

    void rowLimitReached(Exchange exchange, RowLimit limit) {
        log.info("session {}: {} stopped on {} at {} rows by rule {}", id, identity.label(), target.name(), limit.rows(),
                limit.ruleId());
    }

    ByteBuf rowLimitError(RowLimit limit) {
        return error(1226, "42000", "denied by rule \"" + limit.ruleId() + "\": the statement returned more than "
                + limit.rows() + " rows (add a LIMIT, or narrow the WHERE clause)");
    }

    /** An answer is complete: its statement goes to the audit trail; a prepared statement is kept. */
    private void finish(Exchange exchange) {
        if (exchange.statement != null && exchange.command == Commands.STMT_PREPARE && exchange.preparedId >= 0) {
            prepared.add(exchange.preparedId, exchange.statement);
        }
        if (exchange.audited != null) {
            exchange.audited.transaction(transactions);
            record(exchange.audited);
        }
    }

    private void record(AuditedStatement audited) {
        statements++;
        if (audit != null) {
            audit.statement(audited);
        }
    }

    private boolean idle() {
        return exchanges.isEmpty() && holding == null && (status & Commands.STATUS_IN_TRANS) == 0;
    }

    // ---- ending -----------------------------------------------------------------------------

    @Override
    public void shutdownWhenIdle() {
        ctx.channel().eventLoop().execute(() -> endWhenIdle(error(1053, "08S01",
                "Server shutdown in progress: the gateway is shutting down; reconnect to another instance")));
    }

    private void endWhenIdle(ByteBuf reason) {
        if (state == State.CLOSED) {
            reason.release();
            return;
        }
        if (endWhenIdle == null) {
            endWhenIdle = reason;
        } else {
            reason.release();
        }
        if (state != State.RELAY || idle()) {
            end();
        }
    }

    private void end() {
        ByteBuf reason = endWhenIdle;
        endWhenIdle = null;
        Packets.Error error = Packets.Error.of(reason);
        endReason = error.sqlState() + ": " + error.message();
        if (ctx.channel().isActive()) {
            Packets.write(ctx.channel(), reason, 0);
            ctx.channel().writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            reason.release();
        }
        closeQuietly();
    }

    @Override
    public void closeNow() {
        ctx.channel().eventLoop().execute(() -> endNow(1053, "08S01",
                "Server shutdown in progress: the gateway is shutting down (grace period over)"));
    }

    void endNow(int code, String sqlState, String message) {
        if (state == State.CLOSED) {
            return;
        }
        fatal(0, code, sqlState, message);
    }

    /** Sends an ERR packet with sequence id {@code seq} and closes the session. */
    private void fatal(int seq, int code, String sqlState, String message) {
        if (state == State.CLOSED) {
            return;
        }
        if (endReason == null) {
            endReason = sqlState + ": " + message;
        }
        if (ctx.channel().isActive()) {
            ByteBuf error = Packets.error(ctx.alloc(), code, sqlState, message);
            error.setMediumLE(0, Packets.payloadLength(error));
            error.setByte(3, seq);
            ctx.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
        }
        closeQuietly();
    }

    private void refuseLogin(int code, String sqlState, String message) {
        context.audit().refused(facts(), sqlState, message);
        fatal(loginSeq, code, sqlState, message);
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
        context.sessions().remove(this);
        listener.unregister(this);
        withdrawHeld("the client disconnected");
        exchanges.forEach(Exchange::release);
        exchanges.clear();
        if (endWhenIdle != null) {
            endWhenIdle.release();
            endWhenIdle = null;
        }
        if (upstream != null) {
            upstream.close();
        }
        if (ctx.channel().isActive()) {
            ctx.channel().eventLoop().execute(ctx::close);
        }
    }

    @Override
    public void upstreamClosed() {
        if (state == State.CLOSED) {
            return;
        }
        log.info("session {}: the database closed the connection of {}", id, identity == null ? "?" : identity.label());
        endReason = "the database closed the connection";
        ctx.flush();
        endNow(2013, "HY000", "Lost connection to the database: it closed the connection");
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connections.decrementAndGet();
        closeQuietly();
        heldPackets.forEach(ByteBuf::release);
        heldPackets.clear();
        if (identity != null && target != null) {
            log.info("session {}: {} disconnected from MySQL target {}", id, identity.label(), target.name());
        }
        if (audit != null) {
            audit.disconnected(startedNanos, statements, endReason == null ? "the client closed the connection" : endReason);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof TooLongFrameException || cause instanceof TooLongFrameException) {
            context.metrics().clientProtocolError(PROTOCOL, "packet_too_large");
            log.info("session {}: packet too large from {}", id, ctx.channel().remoteAddress());
            PacketDecoder decoder = ctx.pipeline().get(PacketDecoder.class);
            fatal(decoder == null ? 0 : (decoder.refusedSequence() + 1) & 0xFF, 1153, "08S01",
                    "Got a packet bigger than 'max_allowed_packet' bytes (the gateway accepts "
                    + context.config().limits().maxMessageSize().bytes() + ")");
        } else if (root instanceof IOException || root instanceof javax.net.ssl.SSLException) {
            log.debug("session {}: connection error: {}", id, root.toString());
            closeQuietly();
        } else {
            log.error("session {}: unexpected error", id, cause);
            fatal(0, 1105, "HY000", "internal gateway error; the session is closed");
        }
    }

    private boolean tls() {
        return ctx.pipeline().get(SslHandler.class) != null;
    }

    private boolean isLoopback() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress address
                && address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }

    private SessionFacts facts() {
        return new SessionFacts(id, identity, user,
                ctx.channel().remoteAddress() instanceof InetSocketAddress address ? address : null,
                attributes.getOrDefault("program_name", ""), target,
                database == null || database.isEmpty() ? user : database, PROTOCOL);
    }

    @Override
    public String toString() {
        return "MySQL session " + id + (identity == null ? "" : " of " + identity.label());
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
