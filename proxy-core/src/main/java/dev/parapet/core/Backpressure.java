package dev.parapet.core;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Couples two channels so that neither side can make the gateway buffer without bound: while one
 * channel cannot take more writes, the other stops reading. A slow client thus slows its upstream's
 * reads (and so the database's sends), instead of filling the gateway's memory.
 */
public final class Backpressure extends ChannelInboundHandlerAdapter {

    private final Channel peer;

    private Backpressure(Channel peer) {
        this.peer = peer;
    }

    /** Installs the coupling in both directions. Call on the channels' shared event loop. */
    public static void link(Channel a, Channel b) {
        a.pipeline().addLast("backpressure", new Backpressure(b));
        b.pipeline().addLast("backpressure", new Backpressure(a));
        b.config().setAutoRead(a.isWritable());
        a.config().setAutoRead(b.isWritable());
    }

    /** Handler for pipelines where it must sit at a given position. */
    public static ChannelHandler handlerFor(Channel peer) {
        return new Backpressure(peer);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        peer.config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }
}
