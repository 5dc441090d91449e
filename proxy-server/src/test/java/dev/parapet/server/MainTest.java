package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

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

    @Test
    void configCheckAcceptsAValidFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, """
                targets:
                  - name: prod
                    upstream: {port: 5432, database: app, user: svc}
                """);
        Run run = run("config", "check", file.toString());
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("OK (1 target(s))");
    }

    @Test
    void configCheckPrintsEveryErrorWithFileAndLineAndExitsTwo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                listeners:
                  postgres: {port: 99999}
                targets:
                  - name: prod
                    upstream: {port: 5432, database: app, user: svc, pasword: x}
                """);
        Run run = run("config", "check", file.toString());
        assertThat(run.exit()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains(file + ":2:").contains("port must be between");
        assertThat(run.err()).contains(file + ":5:").contains("unknown setting 'pasword'");
    }

    @Test
    void unknownCommandsAreUsageErrors() {
        Run run = run("frobnicate");
        assertThat(run.exit()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("Unmatched argument").contains("Usage: parapet");
    }

    @Test
    void serveRefusesAnInvalidConfigurationWithoutStarting(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("empty.yaml");
        Files.writeString(file, "listeners: {}\n");
        Run run = run("serve", "--config", file.toString());
        assertThat(run.exit()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("no targets are configured");
    }
}
