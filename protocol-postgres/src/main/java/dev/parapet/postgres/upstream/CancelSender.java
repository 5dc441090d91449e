package dev.parapet.postgres.upstream;

import dev.parapet.postgres.codec.FrontendEncoder;
import dev.parapet.postgres.message.CancelRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends one cancel request on a fresh connection and closes it; the server answers nothing. */
final class CancelSender extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(CancelSender.class);

    private final int processId;
    private final int secretKey;

    CancelSender(int processId, int secretKey) {
        this.processId = processId;
        this.secretKey = secretKey;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ByteBuf request = ctx.alloc().buffer(16);
        FrontendEncoder.encode(new CancelRequest(processId, secretKey), request);
        ctx.writeAndFlush(request).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("could not forward a cancel request to the database: {}", cause.toString());
        ctx.close();
    }
}
