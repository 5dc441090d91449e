package dev.parapet.postgres.codec;

import static dev.parapet.postgres.codec.Wire.ascii;
import static dev.parapet.postgres.codec.Wire.bytes;
import static dev.parapet.postgres.codec.Wire.concat;
import static dev.parapet.postgres.codec.Wire.content;
import static dev.parapet.postgres.codec.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.postgres.message.Bind;
import dev.parapet.postgres.message.BoundPortal;
import dev.parapet.postgres.message.CancelRequest;
import dev.parapet.postgres.message.Close;
import dev.parapet.postgres.message.FunctionCall;
import dev.parapet.postgres.message.GssEncRequest;
import dev.parapet.postgres.message.Bind;
import dev.parapet.postgres.message.BoundPortal;
import dev.parapet.postgres.message.Describe;
import dev.parapet.postgres.message.Execute;
import dev.parapet.postgres.message.Parse;
import dev.parapet.postgres.message.PasswordMessage;
import dev.parapet.postgres.message.Query;
import dev.parapet.postgres.message.Relayed;
import dev.parapet.postgres.message.SslRequest;
import dev.parapet.postgres.message.StartupMessage;
import dev.parapet.postgres.message.Sync;
import dev.parapet.postgres.message.Terminate;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class FrontendDecoderTest {

    private static final int MAX = 1024;

    /** StartupMessage for protocol 3.0 (196608 = 0x00030000), user alice, database it. */
    private static final byte[] STARTUP = concat(
            hex("00000036 00030000"),
            ascii("user\0alice\0database\0it\0application_name\0psql\0\0"));

    /** Query 'Q', length 13, "select 1" and its NUL. */
    private static final byte[] QUERY_SELECT_1 = concat(hex("51 0000000d"), ascii("select 1\0"));

    private final Wire.Tracker buffers = new Wire.Tracker();
    private final EmbeddedChannel channel = Wire.channel(new FrontendDecoder(MAX));

    @AfterEach
    void everyBufferIsReleased() {
        closeChannel();
        buffers.assertAllReleased();
    }

    private void closeChannel() {
        try {
            channel.finishAndReleaseAll();
        } catch (DecoderException expectedAfterABadPacket) {
            // A channel that got a malformed packet fails again on close; what matters is the release.
        }
    }

    private List<Object> feed(byte[] bytes) {
        return buffers.feed(channel, bytes);
    }

    /** Moves the decoder past its startup phase. */
    private void startUp() {
        assertThat(STARTUP.length).isEqualTo(0x36);
        assertThat(feed(STARTUP)).singleElement().isInstanceOf(StartupMessage.class);
    }

    private static ProtocolException protocolError(Throwable t) {
        assertThat(t).isInstanceOf(DecoderException.class).hasCauseInstanceOf(ProtocolException.class);
        return (ProtocolException) t.getCause();
    }

    // ---- the untagged startup phase ----------------------------------------------------------

    @Test
    void decodesStartupMessageWithParameters() {
        List<Object> out = feed(STARTUP);
        assertThat(out).containsExactly(new StartupMessage(3, 0,
                Map.of("user", "alice", "database", "it", "application_name", "psql")));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void waitsForTheWholeStartupPacketAcrossReads() {
        assertThat(feed(Arrays.copyOfRange(STARTUP, 0, 3))).isEmpty();
        assertThat(feed(Arrays.copyOfRange(STARTUP, 3, 20))).isEmpty();
        List<Object> out = feed(Arrays.copyOfRange(STARTUP, 20, STARTUP.length));
        assertThat(out).singleElement().isEqualTo(new StartupMessage(3, 0,
                Map.of("user", "alice", "database", "it", "application_name", "psql")));
    }

    @Test
    void decodesNewerMinorVersionAndProtocolOptions() {
        byte[] startup = bytes().int32(0x00030002).cstring("user").cstring("bob").cstring("_pq_.foo").cstring("1")
                .int8(0).toArray();
        byte[] packet = concat(bytes().int32(startup.length + 4).toArray(), startup);
        assertThat(feed(packet)).containsExactly(new StartupMessage(3, 2, Map.of("user", "bob", "_pq_.foo", "1")));
    }

    @Test
    void decodesSslRequestAndStaysInTheStartupPhase() {
        // SSLRequest: length 8, code 80877103 (1234 in the high 16 bits, 5679 in the low ones).
        assertThat(feed(hex("00000008 04d2162f"))).containsExactly(new SslRequest());
        assertThat(feed(STARTUP)).singleElement().isInstanceOf(StartupMessage.class);
    }

    @Test
    void reportsBytesSentRightAfterTheSslRequest() {
        // What the session checks before starting TLS: nothing may follow the request unencrypted.
        FrontendDecoder decoder = channel.pipeline().get(FrontendDecoder.class);
        channel.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof SslRequest) {
                    assertThat(decoder.hasBufferedBytes()).as("bytes buffered behind the SSLRequest").isTrue();
                }
                ctx.fireChannelRead(msg);
            }
        });
        List<Object> out = feed(concat(hex("00000008 04d2162f"), STARTUP));
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isEqualTo(new SslRequest());
        assertThat(decoder.hasBufferedBytes()).isFalse();
    }

    @Test
    void decodesGssEncRequest() {
        // GSSENCRequest: length 8, code 80877104 (1234 / 5680).
        assertThat(feed(hex("00000008 04d21630"))).containsExactly(new GssEncRequest());
    }

    @Test
    void decodesCancelRequest() {
        // CancelRequest: length 16, code 80877102 (1234 / 5678), process id, secret key.
        assertThat(feed(hex("00000010 04d2162e 00003039 deadbeef")))
                .containsExactly(new CancelRequest(12345, 0xdeadbeef));
    }

    @Test
    void rejectsSslRequestWithTheWrongLength() {
        assertThatThrownBy(() -> feed(hex("0000000c 04d2162f 00000000")))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("SSLRequest length 12"));
    }

    @Test
    void rejectsCancelRequestWithTheWrongLength() {
        assertThatThrownBy(() -> feed(hex("0000000c 04d2162e 00003039")))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("CancelRequest length 12"));
    }

    @Test
    void rejectsStartupPacketLongerThanPostgresAllows() {
        // PostgreSQL refuses startup packets over 10000 bytes; so does the gateway, before buffering them.
        assertThatThrownBy(() -> feed(hex("00002711 00030000")))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("invalid startup packet length 10001"));
    }

    @Test
    void rejectsAbsurdStartupLength() {
        assertThatThrownBy(() -> feed(hex("7fffffff 00030000")))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("invalid startup packet length 2147483647"));
    }

    @Test
    void rejectsStartupLengthTooShortForAVersion() {
        assertThatThrownBy(() -> feed(hex("00000004")))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("invalid startup packet length 4"));
    }

    @Test
    void rejectsGarbageAsAStartupPacket() {
        // An HTTP request sent to the PostgreSQL port: "GET " read as a length is 1195725856.
        assertThatThrownBy(() -> feed(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n")))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("invalid startup packet length 1195725856"));
    }

    @Test
    void rejectsStartupPacketWithoutItsTerminator() {
        // "user" "alice" but no final zero byte: the last byte of the packet is alice's NUL, then nothing.
        byte[] body = concat(hex("00030000"), ascii("user\0alice\0database\0it"));
        byte[] packet = concat(bytes().int32(body.length + 4).toArray(), body);
        assertThatThrownBy(() -> feed(packet))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("not terminated"));
    }

    @Test
    void rejectsStartupParameterWithoutValue() {
        byte[] body = concat(hex("00030000"), ascii("user\0"));
        byte[] packet = concat(bytes().int32(body.length + 4).toArray(), body);
        assertThatThrownBy(() -> feed(packet))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("\"user\" has no value"));
    }

    @Test
    void decodesProtocol2StartupPacketAsItsVersion() {
        // A protocol 2.0 startup packet has fixed-size fields, not name/value pairs: Int32 296, Int32
        // 0x00020000, database[64], user[32], options[64], unused[64], tty[64]. The session answers it
        // with "unsupported frontend protocol", as PostgreSQL does; for that the version must get through.
        byte[] packet = new byte[296];
        System.arraycopy(hex("00000128 00020000"), 0, packet, 0, 8);
        System.arraycopy(ascii("parapet_it"), 0, packet, 8, 10);
        System.arraycopy(ascii("alice"), 0, packet, 8 + 64, 5);
        List<Object> out = feed(packet);
        assertThat(out).singleElement().isInstanceOfSatisfying(StartupMessage.class, m -> {
            assertThat(m.majorVersion()).isEqualTo(2);
            assertThat(m.minorVersion()).isZero();
        });
    }

    // ---- tagged messages -----------------------------------------------------------------------

    @Test
    void decodesQuerySplitAcrossReads() {
        startUp();
        for (int i = 0; i < QUERY_SELECT_1.length - 1; i++) {
            assertThat(feed(new byte[] {QUERY_SELECT_1[i]})).as("after %d bytes", i + 1).isEmpty();
        }
        List<Object> out = feed(new byte[] {QUERY_SELECT_1[QUERY_SELECT_1.length - 1]});
        assertThat(out).singleElement().isInstanceOfSatisfying(Query.class, q -> {
            assertThat(q.sql()).isEqualTo("select 1");
            assertThat(content(q)).as("the frame is the whole message, ready to forward").isEqualTo(QUERY_SELECT_1);
        });
        Wire.releaseAll(out);
    }

    @Test
    void decodesParse() {
        startUp();
        // Parse 'P': statement name, query, Int16 parameter type count, Int32 type OIDs (23 = int4).
        byte[] parse = bytes().message('P', bytes().cstring("s1").cstring("select $1::int").int16(1).int32(23)).toArray();
        List<Object> out = feed(parse);
        assertThat(out).singleElement().isInstanceOfSatisfying(Parse.class, p -> {
            assertThat(p.name()).isEqualTo("s1");
            assertThat(p.sql()).isEqualTo("select $1::int");
            assertThat(content(p)).isEqualTo(parse);
        });
        Wire.releaseAll(out);
    }

    @Test
    void decodesPasswordAndReleasesItsFrame() {
        startUp();
        List<Object> out = feed(bytes().message('p', bytes().cstring("alice-pw")).toArray());
        assertThat(out).singleElement().isInstanceOfSatisfying(PasswordMessage.class,
                p -> assertThat(p.password()).isEqualTo("alice-pw"));
    }

    @Test
    void decodesCloseAndFunctionCallAndBindOnceAskedTo() {
        startUp();
        byte[] close = bytes().message('C', bytes().int8('S').cstring("S_1")).toArray();
        // FunctionCall 'F': function OID 2624, no argument formats, one text argument, result format text
        byte[] call = bytes().message('F', bytes().int32(2624).int16(0).int16(1).int32(2).raw(ascii("xy")).int16(0)).toArray();
        byte[] bind = bytes().message('B', bytes().cstring("P_1").cstring("S_2").int16(0).int16(0).int16(0)).toArray();
        List<Object> out = feed(concat(close, call, bind));
        assertThat(out).hasSize(3);
        assertThat(out.get(0)).isInstanceOfSatisfying(Close.class, c -> {
            assertThat(c.type()).isEqualTo('S');
            assertThat(c.name()).isEqualTo("S_1");
        });
        assertThat(out.get(1)).isInstanceOf(FunctionCall.class);
        assertThat(content(out.get(1))).isEqualTo(call);
        assertThat(out.get(2)).as("a Bind travels as relayed bytes by default").isInstanceOf(Relayed.class);
        Wire.releaseAll(out);
        channel.pipeline().get(FrontendDecoder.class).watchBinds(() -> true);
        out = feed(bind);
        assertThat(out).singleElement().isInstanceOfSatisfying(Bind.class, b -> {
            assertThat(b.portal()).isEqualTo("P_1");
            assertThat(b.statement()).isEqualTo("S_2");
        });
        Wire.releaseAll(out);
    }

    @Test
    void decodesTerminate() {
        startUp();
        assertThat(feed(hex("58 00000004"))).containsExactly(Terminate.INSTANCE);
    }

    @Test
    void relaysARunOfMessagesAsOneSliceAndObservesWhatIsInside() {
        startUp();
        // Bind (unnamed portal and statement, no formats/params/results), Execute (no row limit),
        // Sync; twice. The whole run travels as one slice, and what it holds is reported after it.
        byte[] bind = bytes().message('B', bytes().cstring("").cstring("").int16(0).int16(0).int16(0)).toArray();
        byte[] execute = bytes().message('E', bytes().cstring("").int32(0)).toArray();
        byte[] sync = hex("53 00000004");
        byte[] batch = concat(bind, execute, sync);
        byte[] named = concat(bytes().message('B', bytes().cstring("p1").cstring("s1").int16(0).int16(0).int16(0)).toArray(),
                bytes().message('E', bytes().cstring("p1").int32(100)).toArray(), sync);
        List<Object> out = feed(concat(batch, named));
        try {
            assertThat(out).hasSize(5);
            assertThat(out.get(0)).isInstanceOf(Relayed.class);
            assertThat(content(out.get(0))).isEqualTo(concat(batch, named));
            assertThat(out.subList(1, 5)).containsExactly(new Execute("", 0), Sync.INSTANCE, new Execute("p1", 100), Sync.INSTANCE);
        } finally {
            Wire.releaseAll(out);
        }
        boolean[] policyChanged = {false};
        channel.pipeline().get(FrontendDecoder.class).watchBinds(() -> policyChanged[0]);
        out = feed(named);
        try {
            // watched, while nothing calls for more: seen on the way, still one run
            assertThat(out).hasSize(4);
            assertThat(out.get(0)).isInstanceOf(Relayed.class);
            assertThat(out.subList(1, 4)).containsExactly(new BoundPortal("p1", "s1"), new Execute("p1", 100), Sync.INSTANCE);
        } finally {
            Wire.releaseAll(out);
        }
        policyChanged[0] = true;
        out = feed(named);
        try {
            // a watched Bind is handed over owning its frame; what follows it is decoded after the handler saw it
            assertThat(out).hasSize(4);
            assertThat(out.get(0)).isInstanceOfSatisfying(Bind.class, b -> {
                assertThat(b.portal()).isEqualTo("p1");
                assertThat(b.statement()).isEqualTo("s1");
            });
            assertThat(out.get(2)).isEqualTo(new Execute("p1", 100));
        } finally {
            Wire.releaseAll(out);
        }
    }

    @Test
    void relaysBytesBeforeAnInterceptedMessageThenTheMessage() {
        startUp();
        byte[] describe = bytes().message('D', bytes().int8('S').cstring("s1")).toArray();
        byte[] flush = hex("48 00000004");
        List<Object> out = feed(concat(describe, flush, QUERY_SELECT_1, flush));
        try {
            assertThat(out).hasSize(4);
            assertThat(content(out.get(0))).isEqualTo(concat(describe, flush));
            assertThat(out.get(1)).isEqualTo(new Describe('S', "s1"));
            assertThat(out.get(2)).isInstanceOfSatisfying(Query.class, q -> assertThat(q.sql()).isEqualTo("select 1"));
            assertThat(content(out.get(3))).isEqualTo(flush);
        } finally {
            Wire.releaseAll(out);
        }
    }

    @Test
    void forwardsALargeRelayedMessagePieceByPieceBeforeItIsComplete() {
        startUp();
        // CopyData 'd' with a 1000-byte body (just under the limit), then CopyDone 'c'.
        byte[] payload = new byte[1000];
        Arrays.fill(payload, (byte) 'x');
        byte[] copyData = bytes().message('d', bytes().raw(payload)).toArray();
        byte[] copyDone = hex("63 00000004");
        FrontendDecoder decoder = channel.pipeline().get(FrontendDecoder.class);

        List<Object> first = feed(Arrays.copyOfRange(copyData, 0, 300));
        assertThat(first).singleElement().isInstanceOf(Relayed.class);
        assertThat(content(first.get(0))).isEqualTo(Arrays.copyOfRange(copyData, 0, 300));
        assertThat(decoder.insideMessage()).isTrue();

        List<Object> second = feed(Arrays.copyOfRange(copyData, 300, 700));
        assertThat(second).singleElement().isInstanceOf(Relayed.class);
        assertThat(content(second.get(0))).isEqualTo(Arrays.copyOfRange(copyData, 300, 700));

        List<Object> last = feed(concat(Arrays.copyOfRange(copyData, 700, copyData.length), copyDone));
        assertThat(last).singleElement().isInstanceOf(Relayed.class);
        assertThat(content(last.get(0))).isEqualTo(concat(Arrays.copyOfRange(copyData, 700, copyData.length), copyDone));
        assertThat(decoder.insideMessage()).isFalse();
        Wire.releaseAll(first);
        Wire.releaseAll(second);
        Wire.releaseAll(last);
    }

    @Test
    void interceptsAMessageRightAfterAPieceByPieceOne() {
        startUp();
        byte[] copyData = bytes().message('d', bytes().raw(new byte[600])).toArray();
        List<Object> first = feed(Arrays.copyOfRange(copyData, 0, 100));
        List<Object> rest = feed(concat(Arrays.copyOfRange(copyData, 100, copyData.length), QUERY_SELECT_1));
        assertThat(rest).hasSize(2);
        assertThat(content(rest.get(0))).isEqualTo(Arrays.copyOfRange(copyData, 100, copyData.length));
        assertThat(rest.get(1)).isInstanceOfSatisfying(Query.class, q -> assertThat(q.sql()).isEqualTo("select 1"));
        Wire.releaseAll(first);
        Wire.releaseAll(rest);
    }

    @Test
    void rejectsAMessageLengthBelowFour() {
        startUp();
        assertThatThrownBy(() -> feed(hex("51 00000003 00")))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("invalid message length 3 for message type 'Q'"));
    }

    @Test
    void rejectsANegativeMessageLength() {
        startUp();
        assertThatThrownBy(() -> feed(hex("42 ffffffff")))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("invalid message length -1 for message type 'B'"));
    }

    @Test
    void rejectsAnOversizedQueryFromItsHeaderAlone() {
        startUp();
        // Only the header arrives: the limit is enforced before anything is buffered.
        assertThatThrownBy(() -> feed(hex("51 00100000")))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("54000"))
                .satisfies(t -> assertThat(t.getCause())
                        .hasMessageContaining("'Q' is 1048576 bytes, over the gateway's limit of 1024 bytes"));
    }

    @Test
    void rejectsAnOversizedRelayedMessage() {
        startUp();
        assertThatThrownBy(() -> feed(concat(hex("64 00000405"), new byte[100])))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("54000"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("'d' is 1029 bytes"));
    }

    @Test
    void acceptsAMessageExactlyAtTheLimit() {
        startUp();
        byte[] sql = new byte[MAX - 5];
        Arrays.fill(sql, (byte) ' ');
        byte[] query = bytes().message('Q', bytes().raw(sql).int8(0)).toArray();
        assertThat(query.length).isEqualTo(MAX + 1);
        List<Object> out = feed(query);
        assertThat(out).singleElement().isInstanceOf(Query.class);
        Wire.releaseAll(out);
    }

    @Test
    void rejectsAQueryWithoutItsTerminatorAndReleasesTheFrame() {
        startUp();
        assertThatThrownBy(() -> feed(concat(hex("51 0000000c"), ascii("select 1"))))
                .satisfies(t -> assertThat(protocolError(t).sqlState()).isEqualTo("08P01"))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("not terminated"));
    }

    @Test
    void printsUnprintableTagsInHex() {
        startUp();
        assertThatThrownBy(() -> feed(hex("00 00000000")))
                .satisfies(t -> assertThat(t.getCause()).hasMessageContaining("message type '0x00'"));
    }
}
