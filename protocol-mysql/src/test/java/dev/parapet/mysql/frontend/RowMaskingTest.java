package dev.parapet.mysql.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.core.MaskPlan;
import dev.parapet.masking.CellMasker;
import dev.parapet.masking.ColumnType;
import dev.parapet.masking.DataClass;
import dev.parapet.masking.MaskAction;
import dev.parapet.masking.MaskStrategy;
import dev.parapet.mysql.wire.ColumnDefinition;
import dev.parapet.mysql.wire.FieldTypes;
import dev.parapet.mysql.wire.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowMaskingTest {

    private static final ByteBufAllocator ALLOC = Unpooled.buffer().alloc();
    private final CellMasker masker = new CellMasker();

    private static ColumnDefinition column(String name, int type, int flags) {
        return new ColumnDefinition("shop", "customers", "customers", name, name, 45, 100, type, flags, 0);
    }

    private static final List<ColumnDefinition> COLUMNS = List.of(
            column("id", FieldTypes.LONG, ColumnDefinition.NOT_NULL),
            column("email", FieldTypes.VAR_STRING, 0),
            column("date_of_birth", FieldTypes.DATE, 0),
            column("score", FieldTypes.LONGLONG, 0));

    private static MaskPlan plan() {
        List<MaskAction> actions = Arrays.asList(null, MaskAction.WholeValue.of(DataClass.EMAIL),
                MaskAction.WholeValue.of(DataClass.BIRTH_DATE), new MaskAction.WholeValue(DataClass.SECRET,
                        new MaskStrategy.Nullify()));
        List<ColumnType> types = COLUMNS.stream().map(ColumnDefinition::columnType).toList();
        return new MaskPlan(actions, types, List.of("email", "birth date", "score"));
    }

    private static ByteBuf textRow(String... cells) {
        ByteBuf row = Packets.start(ALLOC, 64);
        for (String cell : cells) {
            if (cell == null) {
                row.writeByte(0xFB);
            } else {
                Packets.writeLenencString(row, cell);
            }
        }
        return row;
    }

    private static String[] readText(ByteBuf row, int count) {
        ByteBuf in = row.slice(4, row.readableBytes() - 4);
        String[] out = new String[count];
        for (int i = 0; i < count; i++) {
            out[i] = Packets.readLenencString(in);
        }
        return out;
    }

    @Test
    void masksTextRowsCellByCellAndKeepsTheRest() {
        RowMasking masking = new RowMasking(plan(), COLUMNS, false);
        ByteBuf row = textRow("7", "ada.keller@example.com", "1990-04-02", "123");
        ByteBuf out = masking.apply(row, masker, ALLOC);
        String[] cells = readText(out, 4);
        assertThat(cells[0]).isEqualTo("7");
        assertThat(cells[1]).isNotEqualTo("ada.keller@example.com").endsWith("@example.com");
        assertThat(cells[2]).isNotEqualTo("1990-04-02").matches("\\d{4}-\\d{2}-\\d{2}");
        assertThat(cells[3]).as("nullified").isNull();
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("ada.keller");
        out.release();
    }

    @Test
    void aScannedCellInUtf16GoesOutAsNullNotUnscanned() {
        // character_set_results = utf16: the e-mail's bytes are spread between NULs, where no detector sees it
        List<ColumnDefinition> notes = List.of(column("notes", FieldTypes.BLOB, 0));
        MaskPlan scan = new MaskPlan(List.of(MaskAction.ScanContent.allWithDefaults()), List.of(ColumnType.text()), List.of());
        RowMasking masking = new RowMasking(scan, notes, false);
        ByteBuf row = Packets.start(ALLOC, 64);
        Packets.writeLenencBytes(row, "write to ada@example.com".getBytes(StandardCharsets.UTF_16BE));
        ByteBuf out = masking.apply(row, masker, ALLOC);
        assertThat(readText(out, 1)[0]).isNull();
        out.release();
        ByteBuf utf8 = textRow("write to ada@example.com");
        ByteBuf scanned = new RowMasking(scan, notes, false).apply(utf8, masker, ALLOC);
        assertThat(readText(scanned, 1)[0]).isNotNull().doesNotContain("ada@");
        scanned.release();
    }

    @Test
    void leavesARowWithNothingToMaskAsTheSameBuffer() {
        RowMasking masking = new RowMasking(plan(), COLUMNS, false);
        ByteBuf row = textRow("7", null, null, null);
        ByteBuf out = masking.apply(row, masker, ALLOC);
        assertThat(out).isSameAs(row);
        out.release();
    }

    @Test
    void masksBinaryRowsInTheirTypesAndSetsTheNullBit() {
        ByteBuf row = Packets.start(ALLOC, 64);
        row.writeByte(0x00);
        row.writeByte(0); // the NULL bitmap of 4 columns: (4 + 7 + 2) / 8 = 1 byte, none NULL
        row.writeIntLE(7);
        Packets.writeLenencString(row, "ada.keller@example.com");
        row.writeByte(4).writeShortLE(1990).writeByte(4).writeByte(2);
        row.writeLongLE(123);
        RowMasking masking = new RowMasking(plan(), COLUMNS, true);
        ByteBuf out = masking.apply(row, masker, ALLOC);
        int at = 4;
        assertThat(out.getUnsignedByte(at)).isZero();
        int bitmap = out.getUnsignedByte(at + 1);
        assertThat(bitmap & (1 << (3 + 2))).as("score is NULL now").isNotZero();
        at += 2;
        assertThat(out.getIntLE(at)).isEqualTo(7);
        at += 4;
        ByteBuf rest = out.slice(at, out.writerIndex() - at);
        String email = Packets.readLenencString(rest);
        assertThat(email).isNotEqualTo("ada.keller@example.com").endsWith("@example.com");
        assertThat(rest.readUnsignedByte()).as("a date of 4 bytes").isEqualTo((short) 4);
        int year = rest.readUnsignedShortLE();
        int month = rest.readUnsignedByte();
        int day = rest.readUnsignedByte();
        assertThat(year + "-" + month + "-" + day).isNotEqualTo("1990-4-2");
        assertThat(rest.isReadable()).as("nothing after the date: the nullified value is gone").isFalse();
        out.release();
    }

    @Test
    void convertsBinaryNumbersAndDatesToTextAndBack() {
        ByteBuf value = Unpooled.buffer().writeLongLE(-5);
        assertThat(RowMasking.BinaryValues.toText(FieldTypes.LONGLONG, false, value, 0)).isEqualTo("-5");
        assertThat(RowMasking.BinaryValues.toText(FieldTypes.LONGLONG, true, value, 0)).isEqualTo("18446744073709551611");
        assertThat(RowMasking.BinaryValues.fromText(FieldTypes.TINY, false, "300")).as("out of range").isNull();
        assertThat(RowMasking.BinaryValues.fromText(FieldTypes.SHORT, false, "-2")).containsExactly(0xFE, 0xFF);
        byte[] date = RowMasking.BinaryValues.fromText(FieldTypes.DATETIME, false, "2024-01-02 03:04:05.000006");
        assertThat(RowMasking.BinaryValues.toText(FieldTypes.DATETIME, false, Unpooled.wrappedBuffer(date), 0))
                .isEqualTo("2024-01-02 03:04:05.000006");
        assertThat(RowMasking.BinaryValues.fromText(FieldTypes.DATE, false, "not a date")).isNull();
    }
}
