package dev.parapet.postgres.upstream;

import dev.parapet.config.TargetConfig;
import dev.parapet.core.UpstreamAccount;
import dev.parapet.postgres.codec.BackendDecoder;
import dev.parapet.postgres.codec.FrontendEncoder;
import dev.parapet.postgres.auth.AuthenticationFailure;
import dev.parapet.postgres.auth.Md5Password;
import dev.parapet.postgres.auth.ScramSha256Client;
import dev.parapet.postgres.message.Authentication;
import dev.parapet.postgres.message.BackendKeyData;
import dev.parapet.postgres.message.BackendMessage;
import dev.parapet.postgres.message.CloseComplete;
import dev.parapet.postgres.message.CommandComplete;
import dev.parapet.postgres.message.DataRow;
import dev.parapet.postgres.message.EmptyQueryResponse;
import dev.parapet.postgres.message.ErrorResponse;
import dev.parapet.postgres.message.NegotiateProtocolVersion;
import dev.parapet.postgres.message.NoData;
import dev.parapet.postgres.message.NotificationResponse;
import dev.parapet.postgres.message.ParameterStatus;
import dev.parapet.postgres.message.ParseComplete;
import dev.parapet.postgres.message.PasswordMessage;
import dev.parapet.postgres.message.ReadyForQuery;
import dev.parapet.postgres.message.PortalSuspended;
import dev.parapet.postgres.message.Relayed;
import dev.parapet.postgres.message.RelayedMessage;
import dev.parapet.postgres.message.RowDescription;
import dev.parapet.postgres.message.StartupMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway as a PostgreSQL client: sends the startup packet, answers the server's
 * authentication request with the target's service credentials (cleartext, md5 or
 * SCRAM-SHA-256), collects the session parameters, and from the first ReadyForQuery on passes
 * everything to the owning session. The service credentials never reach the client: failures are
 * reported with a message of the gateway's own.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private final TargetConfig target;
    private final UpstreamAccount account;
    private final Map<String, String> startupParameters;
    private final UpstreamEvents events;
    private final Map<String, ParameterStatus> parameters = new LinkedHashMap<>();
    private boolean roleRequested;
    private BackendKeyData key;
    private ScramSha256Client scram;
    private boolean scramVerified;
    private boolean ready;
    private boolean failed;

    UpstreamHandler(TargetConfig target, UpstreamAccount account, Map<String, String> startupParameters,
            UpstreamEvents events) {
        this.target = target;
        this.account = account;
        this.startupParameters = startupParameters;
        this.events = events;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", account.user());
        params.put("database", target.upstream().database());
        params.putAll(startupParameters);
        ctx.writeAndFlush(new StartupMessage(3, 0, params));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ready) {
            events.upstreamMessage((BackendMessage) msg);
            return;
        }
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            switch ((BackendMessage) msg) {
                case Authentication auth -> authenticate(ctx, auth);
                case ParameterStatus status -> parameters.put(status.name(), status);
                case BackendKeyData data -> key = data;
                case ReadyForQuery rfq -> {
                    if (account.role().isPresent() && !roleRequested) {
                        // Switch to the group's role before the client gets the session.
                        roleRequested = true;
                        ctx.writeAndFlush(FrontendEncoder.query(ctx.alloc(), "SET ROLE " + quoteIdentifier(account.role().get())));
                        return;
                    }
                    ready = true;
                    ctx.pipeline().get(BackendDecoder.class).startRelay();
                    events.upstreamReady(List.copyOf(parameters.values()), key == null ? new BackendKeyData(0, 0) : key);
                }
                case ErrorResponse error when error.notice() -> { }
                case ErrorResponse error when roleRequested -> fail(ctx, ErrorResponse.fatal("08004", "target \""
                        + target.name() + "\" cannot switch to the database role set for your group; ask the gateway's operator"),
                        "SET ROLE " + account.role().orElse("") + " failed: " + error.sqlState() + " " + error.message());
                case ErrorResponse error -> fail(ctx, error.sqlState().startsWith("28")
                        ? ErrorResponse.fatal("08004", "target \"" + target.name()
                                + "\" refused the gateway's service credentials; ask the gateway's operator to check them")
                        : ErrorResponse.fatal(error.sqlState(), "target \"" + target.name() + "\": " + error.message()),
                        "upstream refused the session: " + error.sqlState() + " " + error.message());
                case NegotiateProtocolVersion negotiate -> { }
                case CommandComplete complete when roleRequested -> { }
                case CommandComplete complete -> fail(ctx, unexpected(), "CommandComplete during startup");
                case RowDescription rows -> fail(ctx, unexpected(), "RowDescription during startup");
                case DataRow row -> {
                    row.frame().release();
                    fail(ctx, unexpected(), "DataRow during startup");
                }
                case NotificationResponse notification -> {
                    notification.frame().release();
                    fail(ctx, unexpected(), "NotificationResponse during startup");
                }
                case ParseComplete complete -> {
                    complete.frame().release();
                    fail(ctx, unexpected(), "ParseComplete during startup");
                }
                case CloseComplete complete -> {
                    complete.frame().release();
                    fail(ctx, unexpected(), "CloseComplete during startup");
                }
                case Relayed relayed -> {
                    relayed.bytes().release();
                    fail(ctx, unexpected(), "unexpected message during startup");
                }
                case RelayedMessage relayed -> {
                    relayed.frame().release();
                    fail(ctx, unexpected(), "unexpected message during startup");
                }
                case PortalSuspended suspended -> fail(ctx, unexpected(), "PortalSuspended during startup");
                case EmptyQueryResponse empty -> fail(ctx, unexpected(), "EmptyQueryResponse during startup");
                case NoData none -> fail(ctx, unexpected(), "NoData during startup");
            }
        } catch (AuthenticationFailure e) {
            fail(ctx, ErrorResponse.fatal("08004", "the gateway could not log in to target \"" + target.name()
                    + "\"; ask the gateway's operator to check its service credentials"), e.getMessage());
        }
    }

    private ErrorResponse unexpected() {
        return ErrorResponse.fatal("08P01", "target \"" + target.name() + "\" answered the login with an unexpected message");
    }

    private void authenticate(ChannelHandlerContext ctx, Authentication auth) throws AuthenticationFailure {
        String user = account.user();
        String password = account.password().reveal();
        switch (auth.type()) {
            case Authentication.OK -> {
                // A server may only skip its SCRAM signature by never starting SCRAM; one that
                // starts and then reports success without proving it knows the password is not
                // trusted.
                if (scram != null && !scramVerified) {
                    throw new AuthenticationFailure("the server ended SCRAM without its signature: it may not be the real database");
                }
            }
            case Authentication.CLEARTEXT_PASSWORD -> ctx.writeAndFlush(PasswordMessage.ofPassword(requirePassword(password)));
            case Authentication.MD5_PASSWORD -> ctx.writeAndFlush(PasswordMessage.ofPassword(
                    Md5Password.response(user, requirePassword(password), auth.data())));
            case Authentication.SASL -> {
                if (!mechanisms(auth.data()).contains(ScramSha256Client.MECHANISM)) {
                    throw new AuthenticationFailure("the database offers no SASL mechanism the gateway supports: "
                            + mechanisms(auth.data()));
                }
                scram = new ScramSha256Client(requirePassword(password));
                byte[] first = scram.clientFirst();
                ByteArrayOutputStream payload = new ByteArrayOutputStream();
                payload.writeBytes((ScramSha256Client.MECHANISM + "\0").getBytes(StandardCharsets.US_ASCII));
                payload.writeBytes(new byte[] {(byte) (first.length >>> 24), (byte) (first.length >>> 16),
                        (byte) (first.length >>> 8), (byte) first.length});
                payload.writeBytes(first);
                ctx.writeAndFlush(new PasswordMessage(payload.toByteArray()));
            }
            case Authentication.SASL_CONTINUE -> {
                if (scram == null) {
                    throw new AuthenticationFailure("SASL continue without a SASL start");
                }
                ctx.writeAndFlush(new PasswordMessage(scram.clientFinal(auth.data())));
            }
            case Authentication.SASL_FINAL -> {
                if (scram == null) {
                    throw new AuthenticationFailure("SASL final without a SASL start");
                }
                scram.verifyServerFinal(auth.data());
                scramVerified = true;
            }
            default -> throw new AuthenticationFailure("the database asks for authentication method " + auth.type()
                    + ", which the gateway does not support (use trust, password, md5 or scram-sha-256)");
        }
    }

    static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private String requirePassword(String password) throws AuthenticationFailure {
        if (password.isEmpty()) {
            throw new AuthenticationFailure("the database asks for a password but the target has none configured");
        }
        return password;
    }

    private static List<String> mechanisms(byte[] data) {
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == 0) {
                if (i > start) {
                    names.add(new String(data, start, i - start, StandardCharsets.US_ASCII));
                }
                start = i + 1;
            }
        }
        return names;
    }

    private void fail(ChannelHandlerContext ctx, ErrorResponse toClient, String detail) {
        if (!failed && !ready) {
            failed = true;
            events.upstreamFailed(toClient, detail);
        }
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (ready) {
            events.upstreamReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ready) {
            events.upstreamClosed();
        } else {
            fail(ctx, ErrorResponse.fatal("08006", "target \"" + target.name()
                    + "\" closed the connection during login"), "upstream closed during login");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ready) {
            String reason = UpstreamTlsNegotiator.reasonForClient(cause).orElse("the connection to its database failed");
            fail(ctx, ErrorResponse.fatal("08006", "cannot log in to target \"" + target.name() + "\": " + reason),
                    cause.toString());
        } else {
            ctx.close();
        }
    }
}
