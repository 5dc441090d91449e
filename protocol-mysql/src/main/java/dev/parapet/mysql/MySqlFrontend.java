package dev.parapet.mysql;

import dev.parapet.config.ListenerConfig;
import dev.parapet.config.ParapetConfig;
import dev.parapet.core.GatewayContext;
import dev.parapet.core.ProtocolFrontend;
import dev.parapet.mysql.frontend.MySqlListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/** The MySQL/MariaDB wire protocol, as a frontend of the gateway. */
public final class MySqlFrontend implements ProtocolFrontend {

    @Override
    public String name() {
        return "mysql";
    }

    @Override
    public ListenerConfig listener(ParapetConfig config) {
        return config.listeners().mysql();
    }

    @Override
    public ChannelInitializer<Channel> initializer(GatewayContext context) {
        return new MySqlListener(context);
    }
}
