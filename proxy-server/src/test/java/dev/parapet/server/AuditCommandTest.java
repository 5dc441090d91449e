package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.audit.AuditContext;
import dev.parapet.audit.AuditEvent;
import dev.parapet.audit.AuditFields;
import dev.parapet.audit.AuditSink;
import dev.parapet.audit.AuditSinkProvider;
import dev.parapet.config.AuditSinkConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int exit = Main.commandLine().execute(args);
            return new Run(exit, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** 1,234 events through the file sink as the gateway makes it, signed with a key from keygen. */
    private Path writeTrail() throws Exception {
        Run keygen = run("audit", "keygen", "--private", dir.resolve("signing.pem").toString(),
                "--public", dir.resolve("signing.pub.pem").toString());
        assertThat(keygen.exit()).isZero();
        assertThat(keygen.out()).contains("private key: " + dir.resolve("signing.pem"));
        AuditSinkProvider provider = ServiceLoader.load(AuditSinkProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.type().equals("file")).findFirst().orElseThrow();
        Path live = dir.resolve("audit.jsonl");
        try (AuditSink sink = provider.create(new AuditSinkConfig("file", "trail", Map.of("path", live,
                "signing-key-file", dir.resolve("signing.pem"), "checkpoint-every", 1000)), new AuditContext("gw-1", dir, Clock.systemUTC()))) {
            List<AuditEvent> batch = new ArrayList<>();
            for (int i = 1; i <= 1234; i++) {
                batch.add(AuditEvent.builder(AuditFields.STATEMENT, Instant.parse("2026-11-25T17:15:00Z").plusSeconds(i))
                        .put(AuditFields.QUERY_TEXT, "select " + i).build());
                if (batch.size() == 500 || i == 1234) {
                    sink.write(batch);
                    batch.clear();
                }
            }
        }
        return live;
    }

    @Test
    void verifyPrintsWhatItCheckedAndExitsZeroForAnIntactTrail() throws Exception {
        Path live = writeTrail();
        Run run = run("audit", "verify", "--public-key", dir.resolve("signing.pub.pem").toString(), live.toString());
        assertThat(run.err()).isEmpty();
        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo("""
                ok: 1,234 events in 1 file, 3 signed checkpoints, chain intact from seq 1 to 1238
                events from 2026-11-25T17:15:01Z to 2026-11-25T17:35:34Z
                """.replace("\n", System.lineSeparator()));
        Run unchecked = run("audit", "verify", live.toString());
        assertThat(unchecked.exit()).isZero();
        assertThat(unchecked.out()).contains("warning: 3 signed checkpoint(s) were not checked: no public key was given");
    }

    @Test
    void verifyNamesTheFirstProblemAndExitsOne() throws Exception {
        Path live = writeTrail();
        List<String> lines = new ArrayList<>(Files.readAllLines(live));
        lines.set(16, lines.get(16).replace("select 15", "select 51"));
        Files.writeString(live, String.join("\n", lines) + "\n");
        Run run = run("audit", "verify", "--public-key", dir.resolve("signing.pub.pem").toString(), live.toString());
        assertThat(run.exit()).isEqualTo(Main.FAILED);
        assertThat(run.out()).startsWith("TAMPERED: " + live + " line 17 (seq 17): the line's hash does not match its content")
                .contains("checked 1,234 events in 1 file");
    }

    @Test
    void verifyAndKeygenExitTwoWhenAFileCannotBeReadOrWouldBeOverwritten() throws Exception {
        Run missing = run("audit", "verify", dir.resolve("nowhere.jsonl").toString());
        assertThat(missing.exit()).isEqualTo(Main.INVALID);
        assertThat(missing.err()).isEqualTo("cannot verify: " + dir.resolve("nowhere.jsonl") + ": no such file"
                + System.lineSeparator());
        Files.writeString(dir.resolve("audit.jsonl"), "");
        Files.writeString(dir.resolve("not-a-key.pem"), "hello");
        Run badKey = run("audit", "verify", "--public-key", dir.resolve("not-a-key.pem").toString(),
                dir.resolve("audit.jsonl").toString());
        assertThat(badKey.exit()).isEqualTo(Main.INVALID);
        assertThat(badKey.err()).contains("holds no PEM block '-----BEGIN PUBLIC KEY-----'");
        Run overwrite = run("audit", "keygen", "--private", dir.resolve("not-a-key.pem").toString(),
                "--public", dir.resolve("new.pub.pem").toString());
        assertThat(overwrite.exit()).isEqualTo(Main.INVALID);
        assertThat(Files.readString(dir.resolve("not-a-key.pem"))).isEqualTo("hello");
        assertThat(run("audit", "verify").exit()).as("no file given").isEqualTo(Main.INVALID);
    }
}
