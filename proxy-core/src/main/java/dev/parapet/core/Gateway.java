package dev.parapet.core;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the listeners of the configured protocol frontends on shared event loops, and stops them:
 * first no new connections, then open sessions drain within the configured grace period.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayContext context;
    private final List<ProtocolFrontend> frontends;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final List<Channel> serverChannels = new ArrayList<>();
    private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();

    public Gateway(GatewayContext context, List<ProtocolFrontend> frontends) {
        this.context = context;
        this.frontends = List.copyOf(frontends);
        this.acceptors = context.transport().newGroup(1);
        this.workers = context.transport().newGroup(context.config().eventLoops());
    }

    /** Binds every enabled listener; returns the bound address of each, by frontend name. */
    public Map<String, InetSocketAddress> start() throws InterruptedException {
        for (ProtocolFrontend frontend : frontends) {
            var listener = frontend.listener(context.config());
            if (!listener.enabled()) {
                continue;
            }
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(context.transport().serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                    .childHandler(frontend.initializer(context));
            Channel channel = bootstrap.bind(listener.host(), listener.port()).sync().channel();
            serverChannels.add(channel);
            InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
            addresses.put(frontend.name(), bound);
            log.info("{} listener on {}:{} ({} transport)", frontend.name(), bound.getHostString(), bound.getPort(),
                    context.transport().name());
        }
        return Map.copyOf(addresses);
    }

    public Map<String, InetSocketAddress> addresses() {
        return Map.copyOf(addresses);
    }

    public GatewayContext context() {
        return context;
    }

    /** Stops accepting, drains sessions within {@code grace}, then releases the event loops. */
    public void stop(Duration grace) throws InterruptedException {
        for (Channel channel : serverChannels) {
            channel.close().syncUninterruptibly();
        }
        int open = context.sessions().size();
        if (open > 0) {
            log.info("draining {} open session(s), up to {}", open, grace);
        }
        context.sessions().drain(grace);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        log.info("gateway stopped");
    }

    @Override
    public void close() throws InterruptedException {
        stop(context.config().shutdown().grace());
    }
}
