package dev.parapet.mysql.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Cuts the byte stream into logical packets (see {@link Packets}): a packet under 16 MiB is passed
 * on as a slice of what was read, without a copy; one that continues over several physical
 * packets is joined into one buffer, whose header carries the last part's sequence id. A packet
 * larger than {@code maxPacket} is refused before it is buffered.
 */
public final class PacketDecoder extends ByteToMessageDecoder {

    private final long maxPacket;
    /** The parts of a packet that continues, while more are coming; null otherwise. */
    private ByteBuf joining;

    public PacketDecoder(long maxPacket) {
        this.maxPacket = maxPacket;
    }

    /** A packet was refused: what follows is dropped (the session closes the connection). */
    private boolean refused;
    /** The sequence id of the refused packet, which the answer follows. */
    private int refusedSequence;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= 4) {
            int at = in.readerIndex();
            int length = in.getUnsignedMediumLE(at);
            int seq = in.getUnsignedByte(at + 3);
            long total = length + (joining == null ? 0 : joining.readableBytes() - 4);
            if (total > maxPacket) {
                refused = true;
                refusedSequence = seq;
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException("a packet of more than " + maxPacket + " bytes (max_allowed_packet)");
            }
            if (in.readableBytes() < 4 + length) {
                return;
            }
            if (joining == null && length < Packets.MAX_PHYSICAL) {
                out.add(in.readRetainedSlice(4 + length));
                continue;
            }
            if (joining == null) {
                joining = ctx.alloc().buffer(4 + length * 2);
                joining.writeZero(4);
            }
            in.skipBytes(4);
            joining.writeBytes(in, length);
            joining.setByte(3, seq);
            if (length < Packets.MAX_PHYSICAL) {
                out.add(joining);
                joining = null;
            }
        }
    }

    /**
     * Takes the bytes read beyond the last whole packet out of this decoder (the caller owns
     * them), or null when there are none: after a TLS request they belong to the TLS handler.
     */
    public ByteBuf takeBufferedBytes() {
        int readable = actualReadableBytes();
        if (readable == 0 || joining != null) {
            return null;
        }
        ByteBuf buffered = internalBuffer();
        return buffered.readRetainedSlice(readable);
    }

    /** The sequence id of the packet refused as too large. */
    public int refusedSequence() {
        return refusedSequence;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (joining != null) {
            joining.release();
            joining = null;
        }
    }
}
