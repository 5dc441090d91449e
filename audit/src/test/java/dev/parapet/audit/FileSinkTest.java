package dev.parapet.audit;

import static dev.parapet.audit.ChainFiles.events;
import static dev.parapet.audit.ChainFiles.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.config.AuditSinkConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSinkTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock("2026-11-25T17:15:00Z");

    private Path live() {
        return dir.resolve("audit.jsonl");
    }

    private FileSink open(long maxSize, Duration rotateEvery, int checkpointEvery, PrivateKey key) throws IOException {
        return FileSink.open("audit", new FileSink.Settings(live(), maxSize, rotateEvery, checkpointEvery,
                Duration.ofMinutes(1), key), new AuditContext("gw-1", dir, clock), false);
    }

    private FileSink open() throws IOException {
        return open(0, null, 1000, null);
    }

    private AuditFileVerifier.Result verify(Path... files) throws IOException {
        return new AuditFileVerifier(null, false).verify(List.of(files));
    }

    private List<Path> filesInDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    @Test
    void writesEachEventVerbatimInALineOfTheChain() throws Exception {
        List<AuditEvent> events = events(clock, 1, 5);
        try (FileSink sink = open()) {
            sink.write(events.subList(0, 2));
            sink.write(events.subList(2, 5));
        }
        List<String> lines = lines(live());
        assertThat(lines.get(0)).startsWith("{\"seq\":1,\"prev\":\"" + "0".repeat(64) + "\",\"start\":{\"time\":\"2026-11-25T17:15:00Z\",\"instance\":\"gw-1\"}");
        assertThat(lines.get(1)).startsWith("{\"seq\":2,\"prev\":\"" + ChainFiles.hash(lines.get(0)) + "\",\"checkpoint\":{\"seq\":1,");
        for (int i = 0; i < 5; i++) {
            assertThat(lines.get(2 + i)).isEqualTo("{\"seq\":" + (3 + i) + ",\"prev\":\"" + ChainFiles.hash(lines.get(1 + i))
                    + "\",\"event\":" + new String(events.get(i).json(), StandardCharsets.UTF_8) + ",\"hash\":\""
                    + ChainFiles.sha256(ChainFiles.hashed(lines.get(2 + i))) + "\"}");
        }
        assertThat(lines.getLast()).as("a checkpoint at close").contains("\"checkpoint\":{\"seq\":7,");
        assertThat(lines).hasSize(8);
        AuditFileVerifier.Result result = verify(live());
        assertThat(result.ok()).isTrue();
        assertThat(result.events()).isEqualTo(5);
        assertThat(result.lastSeq()).isEqualTo(8);
        assertThat(result.warnings()).extracting(AuditFileVerifier.Warning::kind)
                .containsExactly(AuditFileVerifier.Warning.Kind.UNSIGNED_CHECKPOINTS);
    }

    @Test
    void signsCheckpointsThatVerifyWithThePublicKey() throws Exception {
        AuditKeys.generate(dir.resolve("private.pem"), dir.resolve("public.pem"));
        try (FileSink sink = open(0, null, 3, AuditKeys.readPrivateKey(dir.resolve("private.pem")))) {
            sink.write(events(clock, 1, 7));
        }
        AuditFileVerifier.Result result = new AuditFileVerifier(AuditKeys.readPublicKey(dir.resolve("public.pem")), false)
                .verify(List.of(live()));
        assertThat(result.problems()).isEmpty();
        assertThat(result.warnings()).isEmpty();
        assertThat(result.checkpoints()).as("at open, after events 3 and 6, at close").isEqualTo(4);
        assertThat(result.verifiedSignatures()).isEqualTo(4);
    }

    @Test
    void checkpointsEveryNEventsAndOnceTheIntervalHasPassed() throws Exception {
        try (FileSink sink = open(0, null, 3, null)) {
            sink.write(events(clock, 1, 7));
            assertThat(kinds(lines(live()))).containsExactly("start", "checkpoint", "event", "event", "event", "checkpoint",
                    "event", "event", "event", "checkpoint", "event");
            clock.advance(Duration.ofSeconds(59));
            sink.maintain();
            assertThat(lines(live())).hasSize(11);
            clock.advance(Duration.ofSeconds(1));
            sink.maintain();
            assertThat(lines(live())).hasSize(12);
            assertThat(lines(live()).getLast()).contains("\"checkpoint\":{\"seq\":11,").contains("\"next-within\":3");
            sink.maintain();
            assertThat(lines(live())).as("nothing new to vouch for").hasSize(12);
        }
    }

    private static List<String> kinds(List<String> lines) {
        return lines.stream().map(line -> line.replaceFirst("^\\{\"seq\":\\d+,\"prev\":\"[0-9a-f]+\",\"([a-z-]+)\":.*", "$1"))
                .toList();
    }

    @Test
    void continuesTheChainAfterARestart() throws Exception {
        try (FileSink sink = open()) {
            sink.write(events(clock, 1, 3));
        }
        long before = lines(live()).size();
        try (FileSink sink = open()) {
            sink.write(events(clock, 4, 3));
        }
        List<String> lines = lines(live());
        assertThat(lines.get((int) before)).as("the first line after the restart")
                .startsWith("{\"seq\":" + (before + 1) + ",\"prev\":\"" + ChainFiles.hash(lines.get((int) before - 1)) + "\"");
        assertThat(kinds(lines)).containsOnlyOnce("start");
        AuditFileVerifier.Result result = verify(live());
        assertThat(result.ok()).isTrue();
        assertThat(result.events()).isEqualTo(6);
    }

    @Test
    void rotatesOnceTheFileReachesItsMaximumSize() throws Exception {
        try (FileSink sink = open(2048, null, 1000, null)) {
            for (int i = 0; i < 8; i++) {
                sink.write(events(clock, 1 + 3 * i, 3));
                clock.advance(Duration.ofSeconds(1));
            }
        }
        List<Path> files = filesInDir();
        assertThat(files.size()).isGreaterThan(2);
        assertThat(files.getFirst().getFileName().toString()).matches("audit-20261125T1715\\d\\dZ\\.jsonl");
        assertThat(files.getLast()).isEqualTo(live());
        for (int i = 0; i < files.size() - 1; i++) {
            List<String> rotated = lines(files.get(i));
            List<String> next = lines(files.get(i + 1));
            assertThat(rotated.getLast()).as("a rotated file ends with a checkpoint").contains("\"checkpoint\":");
            assertThat(next.getFirst()).as("the next file goes on from its last line")
                    .startsWith("{\"seq\":" + (ChainFiles.seq(rotated.getLast()) + 1) + ",\"prev\":\""
                            + ChainFiles.hash(rotated.getLast()) + "\",\"rotated-from\":{\"file\":\""
                            + files.get(i).getFileName() + "\"");
        }
        List<Path> shuffled = new ArrayList<>(files);
        Collections.reverse(shuffled);
        AuditFileVerifier.Result result = new AuditFileVerifier(null, false).verify(shuffled);
        assertThat(result.problems()).isEmpty();
        assertThat(result.events()).isEqualTo(24);
        assertThat(result.files()).isEqualTo(files.size());
    }

    @Test
    void rotatesAtEachMultipleOfTheRotationPeriod() throws Exception {
        try (FileSink sink = open(0, Duration.ofHours(1), 1000, null)) {
            sink.write(events(clock, 1, 2));
            clock.set("2026-11-25T17:59:59Z");
            sink.write(events(clock, 3, 2));
            assertThat(filesInDir()).containsExactly(live());
            clock.set("2026-11-25T18:00:00.5Z");
            sink.write(events(clock, 5, 2));
            assertThat(filesInDir()).containsExactly(dir.resolve("audit-20261125T180000Z.jsonl"), live());
            clock.set("2026-11-25T19:00:03Z");
            sink.maintain();
            assertThat(filesInDir()).as("rotated between batches too")
                    .containsExactly(dir.resolve("audit-20261125T180000Z.jsonl"), dir.resolve("audit-20261125T190003Z.jsonl"), live());
            clock.set("2026-11-25T20:00:03Z");
            sink.maintain();
            assertThat(filesInDir()).as("a file without events is not rotated").hasSize(3);
        }
        assertThat(lines(dir.resolve("audit-20261125T190003Z.jsonl"))).anyMatch(line -> line.contains("where id = 6"));
        assertThat(verify(filesInDir().toArray(Path[]::new)).problems()).isEmpty();
    }

    @Test
    void cutsOffALineLeftIncompleteByACrashAndRecordsIt() throws Exception {
        Path crashed = dir.resolve("crashed.jsonl");
        try (FileSink sink = open()) {
            sink.write(events(clock, 1, 3));
            String half = lines(live()).get(3).substring(0, 40);
            Files.copy(live(), crashed);
            Files.writeString(crashed, half, StandardOpenOption.APPEND);
        }
        List<String> cut = lines(crashed);
        assertThat(new AuditFileVerifier(null, false).verify(List.of(crashed)).firstProblem()).get()
                .extracting(AuditFileVerifier.Problem::kind).isEqualTo(AuditFileVerifier.Kind.TRUNCATED);

        try (FileSink sink = FileSink.open("audit", new FileSink.Settings(crashed, 0, null, 1000, Duration.ofMinutes(1), null),
                new AuditContext("gw-1", dir, clock), false)) {
            sink.write(events(clock, 4, 1));
        }
        List<String> lines = lines(crashed);
        assertThat(lines.subList(0, cut.size() - 1)).isEqualTo(cut.subList(0, cut.size() - 1));
        assertThat(lines.get(cut.size() - 1)).contains("\"recovered\":{").contains("\"truncated-bytes\":40")
                .contains("\"truncated-sha256\":\"" + ChainFiles.sha256(cut.getLast()) + "\"");
        AuditFileVerifier.Result result = new AuditFileVerifier(null, false).verify(List.of(crashed));
        assertThat(result.problems()).isEmpty();
        assertThat(result.events()).isEqualTo(4);
        assertThat(result.warnings()).anyMatch(w -> w.kind() == AuditFileVerifier.Warning.Kind.RECOVERED
                && w.message().contains("line 6: the gateway cut off an incomplete line of 40 bytes"));
    }

    @Test
    void doesNotWriteTwiceTheEventsOfABatchTriedAgainAfterACrash() throws Exception {
        Path crashed = dir.resolve("crashed.jsonl");
        List<AuditEvent> events = events(clock, 1, 8);
        try (FileSink sink = open()) {
            sink.write(events.subList(0, 5));
            Files.copy(live(), crashed);
        }
        try (FileSink sink = FileSink.open("audit", new FileSink.Settings(crashed, 0, null, 1000, Duration.ofMinutes(1), null),
                new AuditContext("gw-1", dir, clock), false)) {
            sink.write(events.subList(3, 6));
            sink.write(events.subList(6, 8));
        }
        AuditFileVerifier.Result result = new AuditFileVerifier(null, false).verify(List.of(crashed));
        assertThat(result.problems()).isEmpty();
        assertThat(result.events()).isEqualTo(8);
        assertThat(lines(crashed).stream().filter(line -> line.contains(events.get(4).id()))).hasSize(1);
    }

    @Test
    void goesOnFromTheNewestRotatedFileWhenTheLiveOneIsGone() throws Exception {
        try (FileSink sink = open(1024, null, 1000, null)) {
            for (int i = 0; i < 4; i++) {
                sink.write(events(clock, 1 + 2 * i, 2));
                clock.advance(Duration.ofSeconds(1));
            }
        }
        List<Path> rotated = filesInDir().subList(0, filesInDir().size() - 1);
        String lastOfRotated = lines(rotated.getLast()).getLast();
        Files.delete(live());
        try (FileSink sink = open(1024, null, 1000, null)) {
            sink.write(events(clock, 20, 1));
        }
        assertThat(lines(live()).getFirst()).startsWith("{\"seq\":" + (ChainFiles.seq(lastOfRotated) + 1) + ",\"prev\":\""
                + ChainFiles.hash(lastOfRotated) + "\",\"rotated-from\":{\"file\":\"" + rotated.getLast().getFileName());
        List<Path> files = new ArrayList<>(rotated);
        files.add(live());
        assertThat(new AuditFileVerifier(null, false).verify(files).problems()).isEmpty();
    }

    @Test
    void refusesToGoOnFromAFileWhoseLastLineIsDamaged() throws Exception {
        try (FileSink sink = open()) {
            sink.write(events(clock, 1, 2));
        }
        List<String> lines = lines(live());
        lines.set(lines.size() - 1, lines.getLast().replace("\"next-within\":1000", "\"next-within\":1001"));
        ChainFiles.write(live(), lines);
        assertThatThrownBy(this::open).isInstanceOf(IOException.class)
                .hasMessageContaining("the last complete line").hasMessageContaining("is not a valid line of the audit chain")
                .hasMessageContaining("parapet audit verify");
    }

    @Test
    void isFoundByItsTypeAndNamesTheSettingThatIsWrong() throws Exception {
        AuditSinkProvider provider = ServiceLoader.load(AuditSinkProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.type().equals("file")).findFirst().orElseThrow();
        AuditContext context = new AuditContext("gw-1", dir, clock);
        assertThatThrownBy(() -> provider.create(new AuditSinkConfig("file", "trail", Map.of()), context))
                .hasMessage("audit sink trail: setting 'path' is required (the audit file)");
        assertThatThrownBy(() -> provider.create(new AuditSinkConfig("file", "trail",
                Map.of("path", live(), "max-size", "lots")), context)).hasMessageContaining("audit sink trail: max-size:");
        assertThatThrownBy(() -> provider.create(new AuditSinkConfig("file", "trail",
                Map.of("path", live(), "checkpoint-every", 0)), context)).hasMessageContaining("checkpoint-every must be 1 or more");
        Files.writeString(dir.resolve("not-a-key.pem"), "hello");
        assertThatThrownBy(() -> provider.create(new AuditSinkConfig("file", "trail",
                Map.of("path", live(), "signing-key-file", dir.resolve("not-a-key.pem"))), context))
                .hasMessageContaining("audit sink trail: signing-key-file:").hasMessageContaining("no PEM block");
        try (AuditSink sink = provider.create(new AuditSinkConfig("file", "trail",
                Map.of("path", dir.resolve("sub/audit.jsonl"), "max-size", "1MiB", "rotate-every", "1d")), context)) {
            sink.write(events(clock, 1, 1));
        }
        assertThat(verify(dir.resolve("sub/audit.jsonl")).events()).isEqualTo(1);
    }
}
