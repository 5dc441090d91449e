package dev.parapet.postgres;

import dev.parapet.config.ListenerConfig;
import dev.parapet.config.ParapetConfig;
import dev.parapet.core.GatewayContext;
import dev.parapet.core.ProtocolFrontend;
import dev.parapet.postgres.frontend.PostgresChannelInitializer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/** The PostgreSQL listener: plugs the protocol into the gateway core. */
public final class PostgresFrontend implements ProtocolFrontend {

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public ListenerConfig listener(ParapetConfig config) {
        return config.listeners().postgres();
    }

    @Override
    public ChannelInitializer<Channel> initializer(GatewayContext context) {
        return new PostgresChannelInitializer(context);
    }
}
