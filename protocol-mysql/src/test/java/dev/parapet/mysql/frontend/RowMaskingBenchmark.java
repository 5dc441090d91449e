package dev.parapet.mysql.frontend;

import dev.parapet.core.MaskPlan;
import dev.parapet.masking.CellMasker;
import dev.parapet.masking.ColumnType;
import dev.parapet.masking.DataClass;
import dev.parapet.masking.MaskAction;
import dev.parapet.mysql.wire.ColumnDefinition;
import dev.parapet.mysql.wire.FieldTypes;
import dev.parapet.mysql.wire.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The MySQL masking hot path: one text row of the demo's customers (six columns, e-mail and phone
 * masked), and the same row when its plan masks nothing it holds (NULLs) — the cost a row pays
 * on its way through. Not a test: run it by hand with {@link #main}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RowMaskingBenchmark {

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final CellMasker masker = new CellMasker();
    private RowMasking masking;
    private ByteBuf row;
    private ByteBuf clean;

    private static ColumnDefinition column(String name, int type) {
        return new ColumnDefinition("shop", "customers", "customers", name, name, 45, 100, type, 0, 0);
    }

    @Setup
    public void setUp() {
        List<ColumnDefinition> columns = List.of(column("id", FieldTypes.LONG), column("full_name", FieldTypes.BLOB),
                column("email", FieldTypes.VAR_STRING), column("phone", FieldTypes.VAR_STRING),
                column("city", FieldTypes.BLOB), column("created_at", FieldTypes.DATETIME));
        List<MaskAction> actions = Arrays.asList(null, null, MaskAction.WholeValue.of(DataClass.EMAIL),
                MaskAction.WholeValue.of(DataClass.PHONE), null, null);
        List<ColumnType> types = columns.stream().map(ColumnDefinition::columnType).toList();
        masking = new RowMasking(new MaskPlan(actions, types, List.of("email", "phone")), columns, false);
        row = textRow("17", "Ada Keller", "ada.keller17@example.com", "+1 202-555-0147", "Lisbon", "2024-01-07 14:00:00");
        clean = textRow("17", "Ada Keller", null, null, "Lisbon", "2024-01-07 14:00:00");
    }

    private ByteBuf textRow(String... cells) {
        ByteBuf buf = Packets.start(alloc, 128);
        for (String cell : cells) {
            if (cell == null) {
                buf.writeByte(0xFB);
            } else {
                Packets.writeLenencString(buf, cell);
            }
        }
        return buf;
    }

    @Benchmark
    public int maskedRow() {
        ByteBuf out = masking.apply(row.retainedDuplicate(), masker, alloc);
        int size = out.readableBytes();
        out.release();
        return size;
    }

    @Benchmark
    public int rowWithNothingToMask() {
        ByteBuf out = masking.apply(clean.retainedDuplicate(), masker, alloc);
        int size = out.readableBytes();
        out.release();
        return size;
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(RowMaskingBenchmark.class.getSimpleName()).forks(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1)).measurementIterations(5)
                .measurementTime(TimeValue.seconds(1)).build()).run();
    }
}
