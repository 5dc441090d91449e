package dev.parapet.core;

import dev.parapet.config.ListenerConfig;
import dev.parapet.config.ParapetConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * The one thing a wire-protocol module provides to the core: which listener it uses and how to set
 * up a newly accepted client channel. Everything after that (identity, targets, sessions, metrics)
 * comes from the {@link GatewayContext}.
 */
public interface ProtocolFrontend {

    /** A short lower-case name for logs and metrics, such as {@code postgres}. */
    String name();

    ListenerConfig listener(ParapetConfig config);

    ChannelInitializer<Channel> initializer(GatewayContext context);
}
