package dev.parapet.postgres.frontend;

import dev.parapet.core.GatewayContext;
import dev.parapet.postgres.codec.BackendEncoder;
import dev.parapet.postgres.codec.FrontendDecoder;
import dev.parapet.postgres.result.Catalogs;
import dev.parapet.postgres.upstream.UpstreamConnector;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sets up each accepted client channel: decoder, encoder, session. Holds what the listener's
 * sessions share: the cancel keys, the upstream connector and the connection count.
 */
public final class PostgresChannelInitializer extends ChannelInitializer<Channel> {

    private final GatewayContext context;
    private final CancelKeys cancelKeys = new CancelKeys();
    private final UpstreamConnector connector;
    private final Catalogs catalogs;
    private final AtomicInteger connections = new AtomicInteger();

    public PostgresChannelInitializer(GatewayContext context) {
        this.context = context;
        this.connector = new UpstreamConnector(context.transport());
        this.catalogs = new Catalogs(connector);
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast("decoder", new FrontendDecoder(context.config().limits().maxMessageSize().asInt()));
        ch.pipeline().addLast("encoder", BackendEncoder.INSTANCE);
        ch.pipeline().addLast("session", new ClientSession(context, cancelKeys, connector, catalogs, connections));
    }
}
