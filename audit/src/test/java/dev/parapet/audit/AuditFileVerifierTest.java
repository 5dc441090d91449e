package dev.parapet.audit;

import static dev.parapet.audit.ChainFiles.events;
import static dev.parapet.audit.ChainFiles.lines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.audit.AuditFileVerifier.Kind;
import dev.parapet.audit.AuditFileVerifier.Problem;
import dev.parapet.audit.AuditFileVerifier.Result;
import dev.parapet.audit.AuditFileVerifier.Warning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trail each test tampers with: 20 events in 4 batches of 5, a signed checkpoint every 5 events.
 * Its 26 lines: 1 start, 2 checkpoint (open), 3-7 events, 8 checkpoint, 9-13 events, 14 checkpoint,
 * 15-19 events, 20 checkpoint, 21-25 events, 26 checkpoint.
 */
class AuditFileVerifierTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock("2026-11-25T17:15:00Z");
    private Path file;
    private PublicKey publicKey;
    private List<String> lines;

    @BeforeEach
    void writeTrail() throws Exception {
        AuditKeys.generate(dir.resolve("private.pem"), dir.resolve("public.pem"));
        publicKey = AuditKeys.readPublicKey(dir.resolve("public.pem"));
        file = dir.resolve("audit.jsonl");
        try (FileSink sink = FileSink.open("audit", new FileSink.Settings(file, 0, null, 5, Duration.ofMinutes(1),
                AuditKeys.readPrivateKey(dir.resolve("private.pem"))), new AuditContext("gw-1", dir, clock), false)) {
            for (int i = 0; i < 4; i++) {
                sink.write(events(clock, 1 + 5 * i, 5));
                clock.advance(Duration.ofSeconds(1));
            }
        }
        lines = lines(file);
        assertThat(lines).hasSize(26);
        assertThat(lines.get(13)).contains("\"checkpoint\":{\"seq\":13,");
    }

    private Result verify() throws IOException {
        ChainFiles.write(file, lines);
        return new AuditFileVerifier(publicKey, false).verify(List.of(file));
    }

    private static Problem first(Result result) {
        assertThat(result.ok()).isFalse();
        return result.firstProblem().orElseThrow();
    }

    @Test
    void acceptsTheTrailAsWritten() throws Exception {
        Result result = verify();
        assertThat(result.problems()).isEmpty();
        assertThat(result.warnings()).isEmpty();
        assertThat(result.events()).isEqualTo(20);
        assertThat(result.checkpoints()).isEqualTo(5);
        assertThat(result.verifiedSignatures()).isEqualTo(5);
        assertThat(result.firstSeq()).isEqualTo(1);
        assertThat(result.lastSeq()).isEqualTo(26);
        assertThat(result.firstEventTime()).hasValue(java.time.Instant.parse("2026-11-25T17:15:00Z"));
        assertThat(result.lastEventTime()).hasValue(java.time.Instant.parse("2026-11-25T17:15:03Z"));
    }

    @Test
    void findsAnEditedEvent() throws Exception {
        lines.set(9, lines.get(9).replace("where id = 7", "where id = 8"));
        Result result = verify();
        assertThat(first(result).describe())
                .isEqualTo("TAMPERED: " + file + " line 10 (seq 10): the line's hash does not match its content: the line was edited");
        assertThat(result.problems()).hasSize(1);
    }

    @Test
    void findsAnEditedHashOrSeq() throws Exception {
        lines.set(9, lines.get(9).replace("{\"seq\":10,", "{\"seq\":11,"));
        assertThat(first(verify())).extracting(Problem::kind, Problem::line).containsExactly(Kind.TAMPERED, 10L);
    }

    @Test
    void findsADeletedLine() throws Exception {
        lines.remove(9);
        Result result = verify();
        assertThat(first(result)).extracting(Problem::kind, Problem::line, Problem::seq).containsExactly(Kind.REMOVED, 10L, 11L);
        assertThat(first(result).message()).isEqualTo("seq 10 is missing: removed before this line");
        assertThat(result.problems()).hasSize(1);
    }

    @Test
    void findsSwappedLines() throws Exception {
        String tenth = lines.get(9);
        lines.set(9, lines.get(10));
        lines.set(10, tenth);
        Result result = verify();
        assertThat(first(result)).extracting(Problem::kind, Problem::line, Problem::seq).containsExactly(Kind.REORDERED, 10L, 11L);
        assertThat(first(result).message()).startsWith("seq 11 comes before seq 10");
        assertThat(result.problems()).hasSize(1);
    }

    @Test
    void findsAFileCutInsideALine() throws Exception {
        ChainFiles.write(file, lines);
        Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), (int) Files.size(file) - 100));
        Result result = new AuditFileVerifier(publicKey, false).verify(List.of(file));
        assertThat(first(result)).extracting(Problem::kind, Problem::line).containsExactly(Kind.TRUNCATED, 26L);
        assertThat(result.warnings()).extracting(Warning::message)
                .containsExactly("5 event(s) after the last checkpoint (" + file + " line 20) could be removed or rewritten"
                        + " without detection");
    }

    @Test
    void findsAChainRewrittenWithRecomputedHashesAtTheNextSignedCheckpoint() throws Exception {
        lines.set(9, lines.get(9).replace("where id = 7", "where id = 8"));
        ChainFiles.rechain(lines, 9);
        Result result = verify();
        assertThat(first(result)).extracting(Problem::kind, Problem::line, Problem::seq)
                .containsExactly(Kind.CHECKPOINT_MISMATCH, 14L, 14L);
        assertThat(first(result).message()).contains("the lines before it were rewritten");
    }

    @Test
    void findsARewrittenCheckpointByItsSignature() throws Exception {
        lines.set(9, lines.get(9).replace("where id = 7", "where id = 8"));
        ChainFiles.rechainWithCheckpoints(lines, 9);
        assertThat(lines.get(13)).contains("\"checkpoint\":{\"seq\":13,\"hash\":\"" + ChainFiles.hash(lines.get(12)));
        assertThat(first(verify())).extracting(Problem::kind, Problem::line).containsExactly(Kind.BAD_SIGNATURE, 14L);
    }

    @Test
    void findsCheckpointsRemovedToHideARewrite() throws Exception {
        lines.set(9, lines.get(9).replace("where id = 7", "where id = 8"));
        lines.remove(25);
        lines.remove(19);
        lines.remove(13);
        ChainFiles.rechain(lines, 9);
        Problem problem = first(verify());
        assertThat(problem).extracting(Problem::kind, Problem::line).containsExactly(Kind.REMOVED, 14L);
        assertThat(problem.message()).startsWith("more than 5 events since the checkpoint at audit.jsonl line 8");
    }

    @Test
    void findsAReplacedSignature() throws Exception {
        String otherSignature = signature(lines.get(7));
        lines.set(13, lines.get(13).replace(signature(lines.get(13)), otherSignature));
        ChainFiles.rechain(lines, 13);
        Problem problem = first(verify());
        assertThat(problem.describe()).isEqualTo("BAD SIGNATURE: " + file + " line 14 (seq 14): the checkpoint's signature"
                + " does not verify with the public key: the checkpoint was forged or altered, or signed with another key");
    }

    @Test
    void findsAnUnsignedCheckpointWhenAPublicKeyIsGiven() throws Exception {
        lines.set(13, lines.get(13).replace(",\"signature\":\"" + signature(lines.get(13)) + "\"", ""));
        ChainFiles.rechain(lines, 13);
        Problem problem = first(verify());
        assertThat(problem).extracting(Problem::kind, Problem::line).containsExactly(Kind.BAD_SIGNATURE, 14L);
        assertThat(problem.message()).contains("not signed");
    }

    private static String signature(String line) {
        return line.replaceFirst(".*\"signature\":\"([^\"]+)\".*", "$1");
    }

    @Test
    void withoutSignaturesARewriteGoesUnnoticedAndTheResultSaysSo() throws Exception {
        Path unsigned = dir.resolve("unsigned.jsonl");
        try (FileSink sink = FileSink.open("audit", new FileSink.Settings(unsigned, 0, null, 5, Duration.ofMinutes(1), null),
                new AuditContext("gw-1", dir, clock), false)) {
            sink.write(events(clock, 1, 10));
        }
        List<String> rewritten = lines(unsigned);
        rewritten.set(4, rewritten.get(4).replace("where id = 3", "where id = 4"));
        ChainFiles.rechainWithCheckpoints(rewritten, 4);
        ChainFiles.write(unsigned, rewritten);
        Result result = new AuditFileVerifier(null, false).verify(List.of(unsigned));
        assertThat(result.ok()).isTrue();
        assertThat(result.warnings()).extracting(Warning::kind).containsExactly(Warning.Kind.UNSIGNED_CHECKPOINTS);
    }

    @Test
    void warnsThatSignaturesWentUncheckedWithoutAPublicKey() throws Exception {
        Result result = new AuditFileVerifier(null, false).verify(List.of(file));
        assertThat(result.ok()).isTrue();
        assertThat(result.verifiedSignatures()).isZero();
        assertThat(result.warnings()).extracting(Warning::message)
                .containsExactly("5 signed checkpoint(s) were not checked: no public key was given");
    }

    @Test
    void warnsAboutEventsAfterTheLastCheckpoint() throws Exception {
        lines.remove(25);
        Result result = verify();
        assertThat(result.ok()).isTrue();
        assertThat(result.warnings()).extracting(Warning::kind).containsExactly(Warning.Kind.UNPROTECTED_EVENTS);
        assertThat(result.warnings().getFirst().message()).startsWith("5 event(s) after the last checkpoint");
    }

    @Test
    void findsAnEmptyFileAndALineThatIsNotJson() throws Exception {
        lines.set(4, "hello");
        Result result = verify();
        assertThat(first(result).describe()).startsWith("TAMPERED: " + file + " line 5: not a line of the audit chain");
        assertThat(result.problems()).hasSize(1);
        Files.writeString(file, "");
        assertThat(first(new AuditFileVerifier(publicKey, false).verify(List.of(file))).describe())
                .isEqualTo("TRUNCATED: " + file + " line 1: the file is empty");
    }

    @Test
    void findsARotatedFileLeftOutAndAChainWithoutItsStart() throws Exception {
        Path rotating = dir.resolve("rotating.jsonl");
        try (FileSink sink = FileSink.open("audit", new FileSink.Settings(rotating, 1500, null, 5, Duration.ofMinutes(1),
                AuditKeys.readPrivateKey(dir.resolve("private.pem"))), new AuditContext("gw-1", dir, clock), false)) {
            for (int i = 0; i < 6; i++) {
                sink.write(events(clock, 1 + 2 * i, 2));
                clock.advance(Duration.ofSeconds(1));
            }
        }
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(f -> f.getFileName().toString().startsWith("rotating")).sorted().toList();
        }
        assertThat(files.size()).isGreaterThanOrEqualTo(3);
        AuditFileVerifier verifier = new AuditFileVerifier(publicKey, false);
        assertThat(verifier.verify(files).problems()).isEmpty();

        List<Path> withoutSecond = new ArrayList<>(files);
        withoutSecond.remove(1);
        Problem problem = first(verifier.verify(withoutSecond));
        assertThat(problem).extracting(Problem::kind, Problem::file, Problem::line).containsExactly(Kind.REMOVED, files.get(2), 1L);
        assertThat(problem.message()).endsWith("the file it continues from, " + files.get(1).getFileName() + ", was not given");

        List<Path> withoutFirst = files.subList(1, files.size());
        problem = first(verifier.verify(withoutFirst));
        assertThat(problem).extracting(Problem::kind, Problem::file, Problem::line).containsExactly(Kind.REMOVED, files.get(1), 1L);
        assertThat(problem.message()).startsWith("the chain starts at seq ").contains(files.get(0).getFileName().toString());
        assertThat(new AuditFileVerifier(publicKey, true).verify(withoutFirst).problems()).as("retention removed it").isEmpty();
    }
}
