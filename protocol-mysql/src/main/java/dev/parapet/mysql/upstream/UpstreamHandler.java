package dev.parapet.mysql.upstream;

import dev.parapet.core.UpstreamAccount;
import dev.parapet.mysql.auth.AuthResponses;
import dev.parapet.mysql.wire.Capabilities;
import dev.parapet.mysql.wire.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's side of one database connection: logs in with the session's service credentials
 * (TLS first when the target asks for it; mysql_native_password, caching_sha2_password on its fast
 * and full paths, sha256_password, MariaDB's client_ed25519; any auth switch the server asks for),
 * then hands every packet to the session.
 */
public final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private enum State { GREETING, TLS, AUTH, READY, CLOSED }

    /** What the session asks of the login. */
    public record Login(UpstreamAccount account, String database, int clientCapabilities, int charset,
            Map<String, String> attributes) {
    }

    private final Login login;
    private final Optional<SslContext> tls;
    private final InetSocketAddress server;
    private final UpstreamEvents events;
    private State state = State.GREETING;
    private ServerGreeting greeting;
    private int capabilities;
    private int seq;
    private String plugin;
    private byte[] scramble;
    private boolean askedForKey;

    public UpstreamHandler(Login login, Optional<SslContext> tls, InetSocketAddress server, UpstreamEvents events) {
        this.login = login;
        this.tls = tls;
        this.server = server;
        this.events = events;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf packet = (ByteBuf) msg;
        if (state == State.READY) {
            events.upstreamPacket(packet);
            return;
        }
        try {
            switch (state) {
                case GREETING -> onGreeting(ctx, packet);
                case AUTH -> onAuth(ctx, packet);
                default -> { }
            }
        } catch (RuntimeException | GeneralSecurityException e) {
            fail(ctx, null, "the database's login exchange could not be followed: " + e.getMessage());
        } finally {
            ReferenceCountUtil.release(packet);
        }
    }

    private void onGreeting(ChannelHandlerContext ctx, ByteBuf packet) throws GeneralSecurityException {
        if (Packets.first(packet) == Packets.ERR) {
            fail(ctx, Packets.Error.of(packet), "the database refused the connection");
            return;
        }
        greeting = ServerGreeting.of(packet);
        int server = greeting.capabilities();
        if ((server & Capabilities.PROTOCOL_41) == 0) {
            fail(ctx, null, "the database does not speak the 4.1 protocol");
            return;
        }
        int relayed = login.clientCapabilities() & Capabilities.RELAYED;
        int missing = relayed & ~server & ~Capabilities.LOCAL_FILES;
        if (missing != 0) {
            fail(ctx, null, "the database lacks capabilities the client asked for (0x" + Integer.toHexString(missing) + ")");
            return;
        }
        capabilities = (relayed & server) | Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION
                | Capabilities.LONG_PASSWORD | Capabilities.TRANSACTIONS
                | (server & (Capabilities.PLUGIN_AUTH | Capabilities.PLUGIN_AUTH_LENENC_DATA | Capabilities.CONNECT_ATTRS));
        if (login.database() != null && !login.database().isEmpty()) {
            capabilities |= Capabilities.CONNECT_WITH_DB;
        }
        seq = Packets.sequence(packet) + 1;
        plugin = greeting.authPlugin();
        scramble = greeting.scramble();
        if (tls.isPresent()) {
            if ((server & Capabilities.SSL) == 0) {
                fail(ctx, null, "the target asks for TLS and the database does not offer it");
                return;
            }
            capabilities |= Capabilities.SSL;
            ByteBuf request = Packets.start(ctx.alloc(), 32);
            request.writeIntLE(capabilities).writeIntLE(1 << 30).writeByte(login.charset()).writeZero(23);
            seq = Packets.write(ctx.channel(), request, seq);
            ctx.flush();
            state = State.TLS;
            SslHandler handler = tls.get().newHandler(ctx.alloc(), this.server.getHostString(), this.server.getPort());
            ctx.pipeline().addFirst("tls", handler);
            handler.handshakeFuture().addListener(f -> {
                if (!f.isSuccess()) {
                    fail(ctx, null, "TLS to the database failed: " + f.cause().getMessage());
                    return;
                }
                try {
                    sendResponse(ctx);
                } catch (GeneralSecurityException | RuntimeException e) {
                    fail(ctx, null, "cannot answer the database's login: " + e.getMessage());
                }
            });
            return;
        }
        sendResponse(ctx);
    }

    private boolean secure() {
        return (capabilities & Capabilities.SSL) != 0;
    }

    private void sendResponse(ChannelHandlerContext ctx) throws GeneralSecurityException {
        byte[] auth = firstAnswer();
        ByteBuf out = Packets.start(ctx.alloc(), 128 + auth.length);
        out.writeIntLE(capabilities).writeIntLE(1 << 30).writeByte(login.charset()).writeZero(23);
        Packets.writeNulString(out, login.account().user());
        if ((capabilities & Capabilities.PLUGIN_AUTH_LENENC_DATA) != 0) {
            Packets.writeLenencBytes(out, auth);
        } else {
            out.writeByte(auth.length).writeBytes(auth);
        }
        if ((capabilities & Capabilities.CONNECT_WITH_DB) != 0) {
            Packets.writeNulString(out, login.database());
        }
        if ((capabilities & Capabilities.PLUGIN_AUTH) != 0) {
            Packets.writeNulString(out, plugin);
        }
        if ((capabilities & Capabilities.CONNECT_ATTRS) != 0) {
            ByteBuf attrs = ctx.alloc().buffer();
            try {
                login.attributes().forEach((k, v) -> {
                    Packets.writeLenencString(attrs, k);
                    Packets.writeLenencString(attrs, v);
                });
                Packets.writeLenenc(out, attrs.readableBytes());
                out.writeBytes(attrs);
            } finally {
                attrs.release();
            }
        }
        seq = Packets.write(ctx.channel(), out, seq);
        ctx.flush();
        state = State.AUTH;
    }

    private byte[] password() {
        return login.account().password().reveal().getBytes(StandardCharsets.UTF_8);
    }

    private void onAuth(ChannelHandlerContext ctx, ByteBuf packet) throws GeneralSecurityException {
        seq = Packets.sequence(packet) + 1;
        switch (Packets.first(packet)) {
            case Packets.OK -> {
                state = State.READY;
                events.upstreamReady(greeting, capabilities, Packets.status(packet, false));
            }
            case Packets.ERR -> fail(ctx, Packets.Error.of(packet), "the database refused the service login");
            case Packets.EOF -> {
                // auth switch: another plugin, with its own scramble
                ByteBuf in = packet.slice(packet.readerIndex() + 5, packet.readableBytes() - 5);
                plugin = Packets.readNulString(in);
                byte[] data = new byte[in.readableBytes()];
                in.readBytes(data);
                scramble = data; // AuthResponses takes the part its plugin uses (a trailing NUL is not part of it)
                send(ctx, firstAnswer());
            }
            case 0x01 -> onMoreData(ctx, packet);
            default -> fail(ctx, null, "unexpected packet 0x" + Integer.toHexString(Packets.first(packet))
                    + " during the database login");
        }
    }

    private void onMoreData(ChannelHandlerContext ctx, ByteBuf packet) throws GeneralSecurityException {
        int length = Packets.payloadLength(packet) - 1;
        int at = packet.readerIndex() + 5;
        if (("caching_sha2_password".equals(plugin)) && length == 1 && !askedForKey) {
            int code = packet.getUnsignedByte(at);
            if (code == 3) {
                return; // fast path succeeded: the OK follows
            }
            if (code != 4) {
                fail(ctx, null, "unexpected caching_sha2_password step " + code);
                return;
            }
            fullAuthentication(ctx);
            return;
        }
        if (askedForKey) {
            String pem = packet.toString(at, length, StandardCharsets.US_ASCII);
            send(ctx, AuthResponses.rsa(password(), scramble, pem));
            return;
        }
        fail(ctx, null, "unexpected authentication data from the database for plugin " + plugin);
    }

    /** The first answer to the current plugin; sha256_password without TLS asks for the server's RSA key first. */
    private byte[] firstAnswer() throws GeneralSecurityException {
        return "sha256_password".equals(plugin) && !secure() ? requestKey() : AuthResponses.first(plugin, password(), scramble);
    }

    /** sha256_password without TLS: the server's RSA key first. */
    private byte[] requestKey() {
        askedForKey = true;
        return new byte[] {1};
    }

    /** The password itself: in clear over TLS, else encrypted with the server's RSA key, which it is asked for. */
    private void fullAuthentication(ChannelHandlerContext ctx) {
        if (secure()) {
            byte[] password = password();
            byte[] withNul = java.util.Arrays.copyOf(password, password.length + 1);
            send(ctx, withNul);
            return;
        }
        askedForKey = true;
        send(ctx, new byte[] {2});
    }

    private void send(ChannelHandlerContext ctx, byte[] payload) {
        ByteBuf out = Packets.start(ctx.alloc(), payload.length);
        out.writeBytes(payload);
        seq = Packets.write(ctx.channel(), out, seq);
        ctx.flush();
    }

    private void fail(ChannelHandlerContext ctx, Packets.Error error, String detail) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        events.upstreamFailed(error, detail);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.READY) {
            events.upstreamReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.READY) {
            state = State.CLOSED;
            events.upstreamClosed();
        } else if (state != State.CLOSED) {
            fail(ctx, null, "the database closed the connection during the login");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.READY) {
            ctx.close();
        } else {
            fail(ctx, null, cause.toString());
        }
    }
}
