package dev.parapet.postgres.upstream;

import dev.parapet.postgres.codec.FrontendEncoder;
import dev.parapet.postgres.message.SslRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Asks the database for TLS (SSLRequest), and on 'S' puts a TLS handler in front of the
 * pipeline; the rest of the pipeline sees the connection become active only once the handshake
 * (including certificate checks, as configured) has succeeded.
 */
final class UpstreamTlsNegotiator extends ChannelInboundHandlerAdapter {

    private final SslContext sslContext;
    private final InetSocketAddress server;

    UpstreamTlsNegotiator(SslContext sslContext, InetSocketAddress server) {
        this.sslContext = sslContext;
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ByteBuf request = ctx.alloc().buffer(8);
        FrontendEncoder.encode(new SslRequest(), request);
        ctx.writeAndFlush(request);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            byte answer = in.readByte();
            if (in.isReadable()) {
                throw new TlsRefusedException("the database sent unencrypted data after its TLS answer");
            }
            if (answer != 'S') {
                throw new TlsRefusedException("the database does not accept TLS connections");
            }
        } finally {
            in.release();
        }
        SslHandler tls = sslContext.newHandler(ctx.alloc(), server.getHostString(), server.getPort());
        ctx.pipeline().addFirst("tls", tls);
        tls.handshakeFuture().addListener(done -> {
            if (done.isSuccess()) {
                ctx.pipeline().remove(this);
                ctx.fireChannelActive();
            } else {
                ctx.fireExceptionCaught(new TlsRefusedException("TLS handshake with the database failed: "
                        + done.cause().getMessage(), done.cause()));
            }
        });
    }

    /**
     * Why TLS to the database failed, in words for the client (no certificate details, no host
     * names); empty when {@code cause} is not a TLS failure.
     */
    static Optional<String> reasonForClient(Throwable cause) {
        boolean tls = false;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateException certificate) {
                String message = String.valueOf(certificate.getMessage());
                return Optional.of(message.startsWith("No name matching") || message.startsWith("No subject alternative")
                        ? "the database's TLS certificate is not issued for the host the gateway connects to"
                        : "the database's TLS certificate is not signed by a CA the gateway trusts");
            }
            if (t instanceof TlsRefusedException refused && refused.getCause() == null) {
                return Optional.of(refused.getMessage());
            }
            tls |= t instanceof TlsRefusedException || t instanceof SSLException;
        }
        return tls ? Optional.of("the TLS handshake with the database failed") : Optional.empty();
    }

    /** TLS to the database could not be set up as configured. */
    static final class TlsRefusedException extends RuntimeException {
        TlsRefusedException(String message) {
            super(message, null, false, false);
        }

        TlsRefusedException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
