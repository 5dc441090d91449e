package dev.parapet.mysql.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PacketDecoderTest {

    private static ByteBuf physical(int length, int seq, byte fill) {
        ByteBuf buf = Unpooled.buffer(4 + length);
        buf.writeMediumLE(length).writeByte(seq);
        for (int i = 0; i < length; i++) {
            buf.writeByte(fill);
        }
        return buf;
    }

    @Test
    void cutsPacketsAndKeepsTheirSequenceIds() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(1 << 20));
        ByteBuf two = Unpooled.buffer();
        two.writeMediumLE(3).writeByte(0).writeByte(Commands.QUERY).writeBytes("ab".getBytes(StandardCharsets.US_ASCII));
        two.writeMediumLE(1).writeByte(7).writeByte(Commands.PING);
        ByteBuf half = two.readRetainedSlice(5);
        channel.writeInbound(half);
        assertThat((Object) channel.readInbound()).as("nothing before the whole packet").isNull();
        channel.writeInbound(two);
        ByteBuf first = channel.readInbound();
        ByteBuf second = channel.readInbound();
        assertThat(Packets.first(first)).isEqualTo(Commands.QUERY);
        assertThat(Packets.payloadLength(first)).isEqualTo(3);
        assertThat(Packets.sequence(second)).isEqualTo(7);
        assertThat(Packets.first(second)).isEqualTo(Commands.PING);
        first.release();
        second.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void joinsAPacketOf16MiBAndMoreAndSplitsItAgainOnTheWayOut() {
        int total = Packets.MAX_PHYSICAL + 10;
        EmbeddedChannel in = new EmbeddedChannel(new PacketDecoder(64 << 20));
        in.writeInbound(physical(Packets.MAX_PHYSICAL, 0, (byte) 'x'));
        assertThat((Object) in.readInbound()).as("a full-size part is continued").isNull();
        in.writeInbound(physical(10, 1, (byte) 'y'));
        ByteBuf joined = in.readInbound();
        assertThat(Packets.payloadLength(joined)).isEqualTo(total);
        assertThat(Packets.sequence(joined)).as("the last part's sequence id").isEqualTo(1);
        assertThat(joined.getByte(joined.writerIndex() - 1)).isEqualTo((byte) 'y');

        EmbeddedChannel out = new EmbeddedChannel();
        int next = Packets.write(out, joined, 0);
        out.flushOutbound();
        assertThat(next).isEqualTo(2);
        ByteBuf wire = Unpooled.buffer();
        for (Object part; (part = out.readOutbound()) != null; ) {
            wire.writeBytes((ByteBuf) part);
            ((ByteBuf) part).release();
        }
        assertThat(wire.getUnsignedMediumLE(0)).isEqualTo(Packets.MAX_PHYSICAL);
        assertThat(wire.getUnsignedByte(3)).isEqualTo((short) 0);
        int second = 4 + Packets.MAX_PHYSICAL;
        assertThat(wire.getUnsignedMediumLE(second)).isEqualTo(10);
        assertThat(wire.getUnsignedByte(second + 3)).isEqualTo((short) 1);
        assertThat(wire.readableBytes()).isEqualTo(total + 8);
        wire.release();
    }

    @Test
    void aPayloadOfExactly16MiBEndsWithAnEmptyPart() {
        ByteBuf packet = Packets.start(Unpooled.buffer().alloc(), Packets.MAX_PHYSICAL);
        packet.writeZero(Packets.MAX_PHYSICAL);
        EmbeddedChannel out = new EmbeddedChannel();
        assertThat(Packets.write(out, packet, 3)).isEqualTo(5);
        out.flushOutbound();
        int headers = 0;
        int lastLength = -1;
        for (Object part; (part = out.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) part;
            if (buf.readableBytes() == 4) {
                headers++;
                lastLength = buf.getUnsignedMediumLE(0);
            }
            buf.release();
        }
        assertThat(headers).isEqualTo(2);
        assertThat(lastLength).isZero();
    }

    @Test
    void refusesAPacketLargerThanTheLimitBeforeBufferingIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(1000));
        ByteBuf header = Unpooled.buffer().writeMediumLE(5000).writeByte(0).writeByte(Commands.QUERY);
        assertThatThrownBy(() -> channel.writeInbound(header))
                .isInstanceOf(TooLongFrameException.class).hasMessageContaining("max_allowed_packet");
        channel.finishAndReleaseAll();
    }

    @Test
    void readsAndWritesLengthEncodedIntegers() {
        for (long value : new long[] {0, 250, 251, 65535, 65536, 16_777_215, 16_777_216, Long.MAX_VALUE}) {
            ByteBuf buf = Unpooled.buffer();
            Packets.writeLenenc(buf, value);
            assertThat(buf.readableBytes()).isEqualTo(Packets.lenencSize(value));
            assertThat(Packets.sizeAt(buf, 0)).isEqualTo(Packets.lenencSize(value));
            assertThat(Packets.lenencAt(buf, 0)).isEqualTo(value);
            assertThat(Packets.readLenenc(buf)).isEqualTo(value);
            buf.release();
        }
        assertThat(Packets.readLenenc(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFB}))).as("NULL").isEqualTo(-1);
    }

    @Test
    void readsTheErrorOfAnErrPacket() {
        ByteBuf error = Packets.error(Unpooled.buffer().alloc(), 1142, "42000", "denied by rule \"x\"");
        Packets.Error parsed = Packets.Error.of(error);
        assertThat(parsed.code()).isEqualTo(1142);
        assertThat(parsed.sqlState()).isEqualTo("42000");
        assertThat(parsed.message()).isEqualTo("denied by rule \"x\"");
        error.release();
    }
}
