package dev.parapet.postgres.codec;

import static dev.parapet.postgres.codec.Wire.ascii;
import static dev.parapet.postgres.codec.Wire.bytes;
import static dev.parapet.postgres.codec.Wire.concat;
import static dev.parapet.postgres.codec.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.postgres.message.Authentication;
import dev.parapet.postgres.message.BackendKeyData;
import dev.parapet.postgres.message.BackendMessage;
import dev.parapet.postgres.message.Bind;
import dev.parapet.postgres.message.CancelRequest;
import dev.parapet.postgres.message.ErrorResponse;
import dev.parapet.postgres.message.FrontendMessage;
import dev.parapet.postgres.message.NegotiateProtocolVersion;
import dev.parapet.postgres.message.Parse;
import dev.parapet.postgres.message.ParameterStatus;
import dev.parapet.postgres.message.PasswordMessage;
import dev.parapet.postgres.message.ReadyForQuery;
import dev.parapet.postgres.message.Relayed;
import dev.parapet.postgres.message.SslRequest;
import dev.parapet.postgres.message.StartupMessage;
import dev.parapet.postgres.message.Sync;
import dev.parapet.postgres.message.Terminate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The encoders write what the protocol documentation specifies, and the decoders read it back to
 * the same message: what the gateway says to a client (BackendEncoder) is what the upstream side
 * understands from a server (BackendDecoder), and likewise for FrontendEncoder / FrontendDecoder.
 */
@ExtendWith(NoLeaks.class)
class EncoderRoundTripTest {

    /** Encodes through a channel, as the pipeline does; returns the wire bytes. */
    private static byte[] encodeBackend(BackendMessage message) {
        EmbeddedChannel channel = Wire.channel(BackendEncoder.INSTANCE);
        assertThat(channel.writeOutbound(message)).isTrue();
        ByteBuf out = channel.readOutbound();
        try {
            assertThat((Object) channel.readOutbound()).isNull();
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            assertThat(out.refCnt()).isZero();
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    private static byte[] encodeFrontend(FrontendMessage message) {
        EmbeddedChannel channel = Wire.channel(FrontendEncoder.INSTANCE);
        assertThat(channel.writeOutbound(message)).isTrue();
        ByteBuf out = channel.readOutbound();
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            assertThat(out.refCnt()).isZero();
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    /** Decodes {@code wire} with a BackendDecoder still in its startup phase (every message typed). */
    private static Object decodeBackend(byte[] wire) {
        Wire.Tracker buffers = new Wire.Tracker();
        EmbeddedChannel channel = Wire.channel(new BackendDecoder());
        List<Object> out = buffers.feed(channel, wire);
        assertThat(out).hasSize(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
        buffers.assertAllReleased();
        return out.get(0);
    }

    private static Object decodeFrontend(byte[] wire) {
        Wire.Tracker buffers = new Wire.Tracker();
        EmbeddedChannel channel = Wire.channel(new FrontendDecoder(1 << 20));
        List<Object> out = buffers.feed(channel, wire);
        assertThat(out).hasSize(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
        buffers.assertAllReleased();
        return out.get(0);
    }

    @Test
    void errorResponseRoundTrips() {
        ErrorResponse error = ErrorResponse.error("42501", "permission denied for table payments", "ask a DBA");
        byte[] wire = encodeBackend(error);
        byte[] expected = bytes().message('E', bytes()
                .int8('S').cstring("ERROR").int8('V').cstring("ERROR").int8('C').cstring("42501")
                .int8('M').cstring("permission denied for table payments").int8('H').cstring("ask a DBA")
                .int8(0)).toArray();
        assertThat(wire).isEqualTo(expected);
        assertThat(decodeBackend(wire)).isEqualTo(error);
    }

    @Test
    void fatalErrorWithoutHintHasNoHintField() {
        byte[] wire = encodeBackend(ErrorResponse.fatal("08P01", "bad"));
        assertThat(wire).isEqualTo(concat(hex("45 0000001f"), ascii("SFATAL\0VFATAL\0C08P01\0Mbad\0\0")));
    }

    @Test
    void noticeResponseRoundTripsWithItsOwnTag() {
        Map<Character, String> fields = new LinkedHashMap<>();
        fields.put('S', "WARNING");
        fields.put('C', "01000");
        fields.put('M', "héllo, ünïcode");
        ErrorResponse notice = new ErrorResponse(fields, true);
        byte[] wire = encodeBackend(notice);
        assertThat(wire[0]).isEqualTo((byte) 'N');
        assertThat(decodeBackend(wire)).isEqualTo(notice);
    }

    @Test
    void parameterStatusRoundTrips() {
        ParameterStatus status = new ParameterStatus("client_encoding", "UTF8");
        byte[] wire = encodeBackend(status);
        assertThat(wire).isEqualTo(concat(hex("53 00000019"), ascii("client_encoding\0UTF8\0")));
        assertThat(decodeBackend(wire)).isEqualTo(status);
    }

    @Test
    void negotiateProtocolVersionRoundTrips() {
        NegotiateProtocolVersion negotiate = new NegotiateProtocolVersion(0, List.of("_pq_.foo", "_pq_.bar"));
        byte[] wire = encodeBackend(negotiate);
        assertThat(wire).isEqualTo(concat(hex("76 0000001e 00000000 00000002"), ascii("_pq_.foo\0_pq_.bar\0")));
        assertThat(decodeBackend(wire)).isEqualTo(negotiate);
    }

    @Test
    void negotiateProtocolVersionWithoutOptions() {
        NegotiateProtocolVersion negotiate = new NegotiateProtocolVersion(0, List.of());
        byte[] wire = encodeBackend(negotiate);
        assertThat(wire).isEqualTo(hex("76 0000000c 00000000 00000000"));
        assertThat(decodeBackend(wire)).isEqualTo(negotiate);
    }

    @Test
    void authenticationKeyDataAndReadyForQueryMatchTheDocumentedBytes() {
        assertThat(encodeBackend(Authentication.cleartextPassword())).isEqualTo(hex("52 00000008 00000003"));
        assertThat(encodeBackend(Authentication.ok())).isEqualTo(hex("52 00000008 00000000"));
        assertThat(encodeBackend(new BackendKeyData(0x7fffffff, -2))).isEqualTo(hex("4b 0000000c 7fffffff fffffffe"));
        assertThat(encodeBackend(new ReadyForQuery('T'))).isEqualTo(hex("5a 00000005 54"));
        assertThat(decodeBackend(hex("4b 0000000c 7fffffff fffffffe"))).isEqualTo(new BackendKeyData(0x7fffffff, -2));
    }

    @Test
    void backendEncoderLeavesRelayedBytesAlone() throws Exception {
        EmbeddedChannel channel = Wire.channel(BackendEncoder.INSTANCE);
        ByteBuf bytes = Wire.ALLOC.buffer().writeBytes(hex("5a 00000005 49"));
        assertThat(BackendEncoder.INSTANCE.acceptOutboundMessage(new Relayed(bytes))).isFalse();
        assertThat(channel.writeOutbound(bytes)).isTrue();
        ByteBuf out = channel.readOutbound();
        assertThat(out).isSameAs(bytes);
        out.release();
        assertThat(bytes.refCnt()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void startupMessageRoundTrips() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", "svc");
        params.put("database", "shop");
        params.put("application_name", "parapet:alice:psql");
        StartupMessage startup = new StartupMessage(3, 0, params);
        byte[] wire = encodeFrontend(startup);
        assertThat(wire).startsWith(bytes().int32(wire.length).int32(196608).toArray());
        assertThat(wire[wire.length - 1]).as("terminator").isZero();
        assertThat(decodeFrontend(wire)).isEqualTo(startup);
    }

    @Test
    void startupMessageWithoutParametersIsJustLengthVersionAndTerminator() {
        byte[] wire = encodeFrontend(new StartupMessage(3, 0, Map.of()));
        assertThat(wire).isEqualTo(hex("00000009 00030000 00"));
        assertThat(decodeFrontend(wire)).isEqualTo(new StartupMessage(3, 0, Map.of()));
    }

    @Test
    void untaggedRequestsMatchTheDocumentedCodes() {
        assertThat(encodeFrontend(new SslRequest())).isEqualTo(hex("00000008 04d2162f"));
        assertThat(encodeFrontend(new CancelRequest(1, 2))).isEqualTo(hex("00000010 04d2162e 00000001 00000002"));
        assertThat(decodeFrontend(hex("00000010 04d2162e 00000001 00000002"))).isEqualTo(new CancelRequest(1, 2));
    }

    @Test
    void passwordSyncAndTerminateMatchTheDocumentedBytes() {
        assertThat(encodeFrontend(PasswordMessage.ofPassword("pw"))).isEqualTo(concat(hex("70 00000007"), ascii("pw\0")));
        assertThat(encodeFrontend(Sync.INSTANCE)).isEqualTo(hex("53 00000004"));
        assertThat(encodeFrontend(Terminate.INSTANCE)).isEqualTo(hex("58 00000004"));
    }

    private static byte[] drain(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void writesTheParseAndCloseTheGatewaySendsOnItsOwn() {
        byte[] parse = bytes().message('P', bytes().cstring("S_1").cstring("select $1, $2").int16(2).int32(23).int32(0)).toArray();
        ByteBuf frame = Wire.ALLOC.buffer().writeBytes(parse);
        try {
            int[] types = FrontendEncoder.parameterTypes(new Parse("S_1", "select $1, $2", frame));
            assertThat(types).containsExactly(23, 0);
            assertThat(drain(FrontendEncoder.parse(Wire.ALLOC, "S_1", "select $1, $2", types, false))).isEqualTo(parse);
            assertThat(drain(FrontendEncoder.parse(Wire.ALLOC, "S_1", "do 'x'", types, true))).isEqualTo(
                    bytes().message('P', bytes().cstring("S_1").cstring("do 'x'").int16(2).int32(23).int32(17)).toArray());
        } finally {
            frame.release();
        }
        assertThat(drain(FrontendEncoder.closeStatement(Wire.ALLOC, "S_1")))
                .isEqualTo(bytes().message('C', bytes().int8('S').cstring("S_1")).toArray());
    }

    @Test
    void dropsTheResultFormatsOfABindAndKeepsTheRest() {
        // portal, statement, one binary parameter format, two values (one NULL), three result formats
        Wire head = bytes().cstring("P").cstring("S_1").int16(1).int16(1).int16(2).int32(4).int32(42).int32(-1);
        byte[] bind = bytes().message('B', bytes().raw(head.toArray()).int16(3).int16(1).int16(1).int16(0)).toArray();
        ByteBuf frame = Wire.ALLOC.buffer().writeBytes(bind);
        try {
            assertThat(drain(FrontendEncoder.bindWithoutResultFormats(Wire.ALLOC, new Bind("P", "S_1", frame))))
                    .isEqualTo(bytes().message('B', bytes().raw(head.toArray()).int16(0)).toArray());
            assertThat(frame.refCnt()).as("the original stays the caller's").isOne();
        } finally {
            frame.release();
        }
        // a value longer than the message
        byte[] truncated = bytes().message('B', bytes().cstring("").cstring("S_1").int16(0).int16(1).int32(100).int16(0)).toArray();
        ByteBuf bad = Wire.ALLOC.buffer().writeBytes(truncated);
        try {
            assertThatThrownBy(() -> FrontendEncoder.bindWithoutResultFormats(Wire.ALLOC, new Bind("", "S_1", bad)))
                    .isInstanceOf(ProtocolException.class);
        } finally {
            bad.release();
        }
    }

    @Test
    void frontendEncoderRefusesToReencodeForwardedMessages() throws Exception {
        ByteBuf frame = Wire.ALLOC.buffer(1);
        ByteBuf out = Wire.ALLOC.buffer(0);
        try {
            assertThat(FrontendEncoder.INSTANCE.acceptOutboundMessage(new Relayed(frame))).isFalse();
            assertThatThrownBy(() -> FrontendEncoder.encode(new Relayed(frame), out))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(out.readableBytes()).isZero();
        } finally {
            frame.release();
            out.release();
        }
    }
}
