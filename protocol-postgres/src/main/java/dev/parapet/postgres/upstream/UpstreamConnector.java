package dev.parapet.postgres.upstream;

import dev.parapet.config.TargetConfig;
import dev.parapet.core.Transport;
import dev.parapet.core.UpstreamAccount;
import dev.parapet.postgres.codec.BackendDecoder;
import dev.parapet.postgres.codec.FrontendEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens connections to targets' databases, on the event loop of the client they serve, with TLS
 * as each target's configuration asks. Shared by all sessions of a listener.
 */
public final class UpstreamConnector {

    private final Transport transport;
    private final Map<String, Optional<SslContext>> tlsByTarget = new ConcurrentHashMap<>();

    public UpstreamConnector(Transport transport) {
        this.transport = transport;
    }

    /**
     * Starts connecting and logging in to {@code target}'s database as {@code account}; the outcome reaches
     * {@code events}. Returns the upstream channel's connect future.
     */
    public ChannelFuture connect(EventLoop loop, TargetConfig target, UpstreamAccount account,
            Map<String, String> startupParameters, UpstreamEvents events) {
        var upstream = target.upstream();
        InetSocketAddress server = InetSocketAddress.createUnresolved(upstream.host(), upstream.port());
        Optional<SslContext> tls = tlsByTarget.computeIfAbsent(target.name(), name -> dev.parapet.core.UpstreamTls.context(upstream.tls()));
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) upstream.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        tls.ifPresent(ctx -> ch.pipeline().addLast("tls-negotiation", new UpstreamTlsNegotiator(ctx, server)));
                        ch.pipeline().addLast("decoder", new BackendDecoder());
                        ch.pipeline().addLast("encoder", FrontendEncoder.INSTANCE);
                        ch.pipeline().addLast("upstream", new UpstreamHandler(target, account, startupParameters, events));
                    }
                });
        return bootstrap.connect(upstream.host(), upstream.port());
    }

    /** The upstream address a target's sessions connect to (for cancel requests). */
    public static InetSocketAddress address(TargetConfig target) {
        return InetSocketAddress.createUnresolved(target.upstream().host(), target.upstream().port());
    }

    /** Opens a short connection to {@code server} and sends it a cancel request. */
    public void sendCancel(EventLoop loop, InetSocketAddress server, int processId, int secretKey) {
        new Bootstrap().group(loop).channel(transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new CancelSender(processId, secretKey))
                .connect(server.getHostString(), server.getPort());
    }
}
