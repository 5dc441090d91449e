package dev.parapet.mysql.upstream;

import dev.parapet.config.TargetConfig;
import dev.parapet.core.Transport;
import dev.parapet.mysql.wire.PacketDecoder;
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
 * Opens connections to MySQL targets' databases, on the event loop of the client they serve, with
 * TLS as each target's configuration asks. Shared by all sessions of the listener.
 */
public final class UpstreamConnector {

    /** The largest packet the gateway takes from a database (MySQL's own max_allowed_packet ceiling). */
    private static final long MAX_UPSTREAM_PACKET = 1L << 30;

    private final Transport transport;
    private final Map<String, Optional<SslContext>> tlsByTarget = new ConcurrentHashMap<>();

    public UpstreamConnector(Transport transport) {
        this.transport = transport;
    }

    /** Starts connecting and logging in; the outcome reaches {@code events}. Returns the connect future. */
    public ChannelFuture connect(EventLoop loop, TargetConfig target, UpstreamHandler.Login login, UpstreamEvents events) {
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
                        ch.pipeline().addLast("decoder", new PacketDecoder(MAX_UPSTREAM_PACKET));
                        ch.pipeline().addLast("upstream", new UpstreamHandler(login, tls, server, events));
                    }
                });
        return bootstrap.connect(upstream.host(), upstream.port());
    }
}
