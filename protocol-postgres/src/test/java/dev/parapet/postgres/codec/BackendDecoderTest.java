package dev.parapet.postgres.codec;

import static dev.parapet.postgres.codec.Wire.ascii;
import static dev.parapet.postgres.codec.Wire.bytes;
import static dev.parapet.postgres.codec.Wire.concat;
import static dev.parapet.postgres.codec.Wire.content;
import static dev.parapet.postgres.codec.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.postgres.message.Authentication;
import dev.parapet.postgres.message.BackendKeyData;
import dev.parapet.postgres.message.CloseComplete;
import dev.parapet.postgres.message.CommandComplete;
import dev.parapet.postgres.message.DataRow;
import dev.parapet.postgres.message.RowDescription;
import dev.parapet.postgres.message.ErrorResponse;
import dev.parapet.postgres.message.NegotiateProtocolVersion;
import dev.parapet.postgres.message.ParameterStatus;
import dev.parapet.postgres.message.ParseComplete;
import dev.parapet.postgres.message.ReadyForQuery;
import dev.parapet.postgres.message.Relayed;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class BackendDecoderTest {

    /** AuthenticationSASL: 'R', length 23, code 10, mechanism list "SCRAM-SHA-256" ended by an empty name. */
    private static final byte[] AUTH_SASL = concat(hex("52 00000017 0000000a"), ascii("SCRAM-SHA-256\0\0"));
    /** AuthenticationOk: 'R', length 8, code 0. */
    private static final byte[] AUTH_OK = hex("52 00000008 00000000");
    /** ParameterStatus 'S' server_version = 15.4. */
    private static final byte[] SERVER_VERSION = bytes().message('S', bytes().cstring("server_version").cstring("15.4")).toArray();
    /** BackendKeyData 'K', length 12, process id 4242, secret key 0x01020304. */
    private static final byte[] KEY_DATA = hex("4b 0000000c 00001092 01020304");
    /** ReadyForQuery 'Z', length 5, idle. */
    private static final byte[] READY_IDLE = hex("5a 00000005 49");
    /** RowDescription 'T': one column "?column?" of type int4 (OID 23), text format. */
    private static final byte[] ROW_DESCRIPTION = bytes().message('T', bytes().int16(1)
            .cstring("?column?").int32(0).int16(0).int32(23).int16(4).int32(-1).int16(0)).toArray();
    /** DataRow 'D': one column, 1 byte, "1". */
    private static final byte[] DATA_ROW_1 = bytes().message('D', bytes().int16(1).int32(1).raw(ascii("1"))).toArray();
    /** CommandComplete 'C' "SELECT 1". */
    private static final byte[] SELECT_1_COMPLETE = bytes().message('C', bytes().cstring("SELECT 1")).toArray();
    private static final byte[] SET_COMPLETE = bytes().message('C', bytes().cstring("SET")).toArray();
    /** ErrorResponse 'E' as PostgreSQL 15 sends it for a missing table. */
    private static final byte[] NO_SUCH_TABLE = bytes().message('E', bytes()
            .int8('S').cstring("ERROR").int8('V').cstring("ERROR").int8('C').cstring("42P01")
            .int8('M').cstring("relation \"nope\" does not exist").int8('P').cstring("15")
            .int8('F').cstring("parse_relation.c").int8('L').cstring("1392").int8('R').cstring("parserOpenTable")
            .int8(0)).toArray();

    private static final RowDescription INT4_COLUMN = new RowDescription(List.of(
            new RowDescription.Field("?column?", 0, (short) 0, 23, (short) 4, -1, (short) 0)));

    private final Wire.Tracker buffers = new Wire.Tracker();
    private final EmbeddedChannel channel = Wire.channel(new BackendDecoder());

    @AfterEach
    void everyBufferIsReleased() {
        try {
            channel.finishAndReleaseAll();
        } catch (DecoderException expectedAfterABadMessage) {
            // What matters after a malformed message is that its buffers were released.
        }
        buffers.assertAllReleased();
    }

    private List<Object> feed(byte[] bytes) {
        return buffers.feed(channel, bytes);
    }

    private void startUp() {
        List<Object> out = feed(concat(AUTH_OK, READY_IDLE));
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOfSatisfying(Authentication.class, a -> assertThat(a.type()).isEqualTo(Authentication.OK));
        assertThat(out.get(1)).isEqualTo(ReadyForQuery.IDLE);
        channel.pipeline().get(BackendDecoder.class).startRelay();
    }

    @Test
    void decodesEachStartupMessageAsItsType() {
        List<Object> out = feed(concat(AUTH_SASL, AUTH_OK, SERVER_VERSION, KEY_DATA));
        assertThat(out).hasSize(4);
        assertThat(out.get(0)).isInstanceOfSatisfying(Authentication.class, a -> {
            assertThat(a.type()).isEqualTo(Authentication.SASL);
            assertThat(a.data()).isEqualTo(ascii("SCRAM-SHA-256\0\0"));
        });
        assertThat(out.get(1)).isInstanceOfSatisfying(Authentication.class, a -> {
            assertThat(a.type()).isEqualTo(Authentication.OK);
            assertThat(a.data()).isEmpty();
        });
        assertThat(out.get(2)).isEqualTo(new ParameterStatus("server_version", "15.4"));
        assertThat(out.get(3)).isEqualTo(new BackendKeyData(4242, 0x01020304));
    }

    @Test
    void decodesMd5ChallengeWithItsSalt() {
        // AuthenticationMD5Password: 'R', length 12, code 5, 4-byte salt.
        List<Object> out = feed(hex("52 0000000c 00000005 a1b2c3d4"));
        assertThat(out).singleElement().isInstanceOfSatisfying(Authentication.class, a -> {
            assertThat(a.type()).isEqualTo(Authentication.MD5_PASSWORD);
            assertThat(a.data()).isEqualTo(hex("a1b2c3d4"));
        });
    }

    @Test
    void decodesErrorAndNoticeDuringStartup() {
        byte[] fatal = bytes().message('E', bytes().int8('S').cstring("FATAL").int8('V').cstring("FATAL")
                .int8('C').cstring("28P01").int8('M').cstring("password authentication failed for user \"svc\"")
                .int8(0)).toArray();
        byte[] notice = bytes().message('N', bytes().int8('S').cstring("NOTICE").int8('C').cstring("00000")
                .int8('M').cstring("hello").int8(0)).toArray();
        List<Object> out = feed(concat(notice, fatal));
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOfSatisfying(ErrorResponse.class, n -> {
            assertThat(n.notice()).isTrue();
            assertThat(n.message()).isEqualTo("hello");
        });
        assertThat(out.get(1)).isInstanceOfSatisfying(ErrorResponse.class, e -> {
            assertThat(e.notice()).isFalse();
            assertThat(e.severity()).isEqualTo("FATAL");
            assertThat(e.sqlState()).isEqualTo("28P01");
            assertThat(e.message()).isEqualTo("password authentication failed for user \"svc\"");
        });
    }

    @Test
    void decodesNegotiateProtocolVersion() {
        // 'v': newest minor version supported (0), number of unrecognised options (1), their names.
        byte[] negotiate = bytes().message('v', bytes().int32(0).int32(1).cstring("_pq_.foo")).toArray();
        assertThat(feed(negotiate)).containsExactly(new NegotiateProtocolVersion(0, List.of("_pq_.foo")));
    }

    @Test
    void handsOverParseAndCloseCompleteOnTheirOwnDuringTheSession() {
        startUp();
        byte[] parseComplete = hex("31 00000004");
        byte[] bindComplete = hex("32 00000004");
        byte[] closeComplete = hex("33 00000004");
        List<Object> out = feed(concat(parseComplete, bindComplete, closeComplete, READY_IDLE));
        assertThat(out).hasSize(5);
        assertThat(out.get(0)).isInstanceOf(ParseComplete.class);
        assertThat(content(out.get(0))).isEqualTo(parseComplete);
        assertThat(content(out.get(1))).isEqualTo(bindComplete);
        assertThat(out.get(2)).isInstanceOf(CloseComplete.class);
        assertThat(content(out.get(3))).isEqualTo(READY_IDLE);
        assertThat(out.get(4)).isEqualTo(ReadyForQuery.IDLE);
        Wire.releaseAll(out);
    }

    @Test
    void staysInStartupUntilToldAndThenRelays() {
        // What the gateway runs itself after login (SET ROLE) is still decoded message by message.
        List<Object> out = feed(concat(AUTH_OK, SERVER_VERSION, KEY_DATA, READY_IDLE, SET_COMPLETE, READY_IDLE));
        assertThat(out).hasSize(6);
        assertThat(out.get(0)).isInstanceOfSatisfying(Authentication.class, a -> assertThat(a.type()).isEqualTo(Authentication.OK));
        assertThat(out.subList(1, 6)).containsExactly(new ParameterStatus("server_version", "15.4"),
                new BackendKeyData(4242, 0x01020304), ReadyForQuery.IDLE, new CommandComplete("SET"), ReadyForQuery.IDLE);
        channel.pipeline().get(BackendDecoder.class).startRelay();
        byte[] results = concat(ROW_DESCRIPTION, DATA_ROW_1, SELECT_1_COMPLETE);
        out = feed(concat(results, READY_IDLE));
        try {
            // Relayed now: the whole read as one slice, then what was observed in it (the row
            // description only as seen, unread).
            assertThat(out).hasSize(4);
            assertThat(out.get(0)).isInstanceOf(Relayed.class);
            assertThat(content(out.get(0))).isEqualTo(concat(results, READY_IDLE));
            assertThat(out.get(1)).isSameAs(RowDescription.UNREAD);
            assertThat(out.get(2)).isEqualTo(new CommandComplete("SELECT 1"));
            assertThat(out.get(3)).isEqualTo(ReadyForQuery.IDLE);
        } finally {
            Wire.releaseAll(out);
        }
    }

    @Test
    void describesAndHandsOverEachDataRowWhileRowsAreInspected() {
        startUp();
        channel.pipeline().get(BackendDecoder.class).inspectRows(true);
        List<Object> out = feed(concat(ROW_DESCRIPTION, DATA_ROW_1, DATA_ROW_1, SELECT_1_COMPLETE, READY_IDLE));
        // The description before the rows goes out first; each row is its own owned frame.
        assertThat(out).hasSize(7);
        assertThat(content(out.get(0))).isEqualTo(ROW_DESCRIPTION);
        assertThat(out.get(1)).isEqualTo(INT4_COLUMN);
        assertThat(out.get(2)).isInstanceOfSatisfying(DataRow.class, row -> {
            assertThat(row.columnCount()).isEqualTo(1);
            assertThat(ByteBufUtil.getBytes(row.frame())).isEqualTo(DATA_ROW_1);
        });
        assertThat(out.get(3)).isInstanceOf(DataRow.class);
        assertThat(content(out.get(4))).isEqualTo(concat(SELECT_1_COMPLETE, READY_IDLE));
        assertThat(out.get(5)).isEqualTo(new CommandComplete("SELECT 1"));
        assertThat(out.get(6)).isEqualTo(ReadyForQuery.IDLE);
        Wire.releaseAll(out);
    }

    @Test
    void rejectsATruncatedRowDescription() {
        startUp();
        channel.pipeline().get(BackendDecoder.class).inspectRows(true);
        byte[] truncated = bytes().message('T', bytes().int16(2).cstring("a").int32(0).int16(0).int32(23).int16(4)
                .int32(-1).int16(0)).toArray();
        assertThatThrownBy(() -> feed(truncated)).hasRootCauseInstanceOf(ProtocolException.class);
    }

    @Test
    void observesErrorResponseAfterRelayingIt() {
        startUp();
        byte[] inTransactionFailed = hex("5a 00000005 45");
        List<Object> out = feed(concat(NO_SUCH_TABLE, inTransactionFailed));
        assertThat(out).hasSize(3);
        assertThat(content(out.get(0))).isEqualTo(concat(NO_SUCH_TABLE, inTransactionFailed));
        assertThat(out.get(1)).isInstanceOfSatisfying(ErrorResponse.class, e -> {
            assertThat(e.notice()).isFalse();
            assertThat(e.sqlState()).isEqualTo("42P01");
            assertThat(e.severity()).isEqualTo("ERROR");
            assertThat(e.message()).isEqualTo("relation \"nope\" does not exist");
            assertThat(e.fields()).containsEntry('R', "parserOpenTable").hasSize(8);
        });
        assertThat(out.get(2)).isEqualTo(new ReadyForQuery('E'));
        Wire.releaseAll(out);
    }

    @Test
    void relaysNoticesAndParameterStatusDuringTheSessionWithoutDecodingThem() {
        startUp();
        byte[] notice = bytes().message('N', bytes().int8('S').cstring("NOTICE").int8('M').cstring("hi").int8(0)).toArray();
        byte[] timezone = bytes().message('S', bytes().cstring("TimeZone").cstring("UTC")).toArray();
        List<Object> out = feed(concat(notice, timezone));
        assertThat(out).singleElement().isInstanceOf(Relayed.class);
        assertThat(content(out.get(0))).isEqualTo(concat(notice, timezone));
        Wire.releaseAll(out);
    }

    @Test
    void waitsForAWholeObservedMessageWhileRelayingWhatCameBefore() {
        startUp();
        byte[] all = concat(DATA_ROW_1, SELECT_1_COMPLETE);
        int split = DATA_ROW_1.length + 3;
        List<Object> first = feed(Arrays.copyOfRange(all, 0, split));
        assertThat(first).singleElement().isInstanceOf(Relayed.class);
        assertThat(content(first.get(0))).isEqualTo(DATA_ROW_1);
        List<Object> second = feed(Arrays.copyOfRange(all, split, all.length));
        assertThat(second).hasSize(2);
        assertThat(content(second.get(0))).isEqualTo(SELECT_1_COMPLETE);
        assertThat(second.get(1)).isEqualTo(new CommandComplete("SELECT 1"));
        Wire.releaseAll(first);
        Wire.releaseAll(second);
    }

    @Test
    void forwardsAHugeRowPieceByPiece() {
        startUp();
        byte[] cell = new byte[5000];
        Arrays.fill(cell, (byte) 'z');
        byte[] row = bytes().message('D', bytes().int16(1).int32(cell.length).raw(cell)).toArray();
        BackendDecoder decoder = channel.pipeline().get(BackendDecoder.class);
        List<Object> first = feed(Arrays.copyOfRange(row, 0, 2000));
        assertThat(first).singleElement().isInstanceOf(Relayed.class);
        assertThat(decoder.insideMessage()).isTrue();
        List<Object> rest = feed(concat(Arrays.copyOfRange(row, 2000, row.length), SELECT_1_COMPLETE));
        assertThat(rest).hasSize(2);
        assertThat(concat(content(first.get(0)), content(rest.get(0)))).isEqualTo(concat(row, SELECT_1_COMPLETE));
        assertThat(rest.get(1)).isEqualTo(new CommandComplete("SELECT 1"));
        assertThat(decoder.insideMessage()).isFalse();
        Wire.releaseAll(first);
        Wire.releaseAll(rest);
    }

    @Test
    void rejectsAMessageLengthBelowFour() {
        startUp();
        assertThatThrownBy(() -> feed(hex("44 00000002")))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(ProtocolException.class)
                .cause().hasMessageContaining("invalid message length 2 for message type 'D'");
    }

    @Test
    void rejectsAnObservedMessageOverOneGibibyte() {
        // An observed message is held whole, so its size is bounded; PostgreSQL never sends over 1 GiB.
        startUp();
        assertThatThrownBy(() -> feed(hex("43 40000001")))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(ProtocolException.class)
                .cause().hasMessageContaining("'C' is 1073741825 bytes");
    }

    @Test
    void rejectsAnUnterminatedStringInAStartupMessage() {
        byte[] broken = concat(hex("53 0000000a"), ascii("abcdef"));
        assertThatThrownBy(() -> feed(broken))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(ProtocolException.class)
                .cause().hasMessageContaining("not terminated");
    }
}
