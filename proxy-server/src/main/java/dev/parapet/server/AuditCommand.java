package dev.parapet.server;

import dev.parapet.audit.AuditFileVerifier;
import dev.parapet.audit.AuditKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code parapet audit ...}: check the file sink's audit files and make the key that signs them. */
@Command(name = "audit", description = "Work with the audit files of the file sink.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Keygen.class, CommandLine.HelpCommand.class})
final class AuditCommand implements Runnable {

    /** How many problems are printed; the rest are counted. */
    private static final int PROBLEMS_SHOWN = 10;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    @Command(name = "verify", description = {"Check the hash chain and the signed checkpoints of audit files.",
            "Give the rotated files and the live one, in any order. Exit code: 0 intact, 1 problems found,"
                    + " 2 a file or key cannot be read."})
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "The audit files (rotated ones and the live one).")
        List<Path> files;

        @Option(names = "--public-key", paramLabel = "PEM", description = "The public key the checkpoints are signed with"
                + " (from parapet audit keygen); without it, signatures are not checked.")
        Path publicKey;

        @Option(names = "--allow-missing-start", description = "The chain's first files are gone (removed by retention):"
                + " accept a chain that starts after seq 1.")
        boolean allowMissingStart;

        @Override
        public Integer call() {
            AuditFileVerifier.Result result;
            try {
                PublicKey key = publicKey == null ? null : AuditKeys.readPublicKey(publicKey);
                result = new AuditFileVerifier(key, allowMissingStart).verify(files);
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("cannot verify: " + describe(e));
                return Main.INVALID;
            }
            print(result, publicKey != null, System.out);
            return result.ok() ? 0 : Main.FAILED;
        }

        private static void print(AuditFileVerifier.Result result, boolean keyGiven, PrintStream out) {
            String checked = number(result.events()) + " events in " + number(result.files()) + " file"
                    + (result.files() == 1 ? "" : "s") + ", " + number(result.checkpoints())
                    + (keyGiven ? " signed" : "") + " checkpoint" + (result.checkpoints() == 1 ? "" : "s");
            if (result.ok()) {
                out.println("ok: " + checked + ", chain intact from seq " + result.firstSeq() + " to " + result.lastSeq());
            } else {
                result.problems().stream().limit(PROBLEMS_SHOWN).forEach(problem -> out.println(problem.describe()));
                if (result.problems().size() > PROBLEMS_SHOWN) {
                    out.println("... and " + (result.problems().size() - PROBLEMS_SHOWN) + " more problems");
                }
                out.println("checked " + checked);
            }
            if (result.firstEventTime().isPresent()) {
                out.println("events from " + result.firstEventTime().get() + " to " + result.lastEventTime().orElseThrow());
            }
            result.warnings().forEach(warning -> out.println("warning: " + warning.message()));
        }

        private static String number(long n) {
            return String.format(Locale.ROOT, "%,d", n);
        }
    }

    @Command(name = "keygen", description = {"Make an Ed25519 key pair for signing audit checkpoints.",
            "The private key goes to the file sink's signing-key-file; the public key to parapet audit verify."})
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--private", required = true, paramLabel = "FILE", description = "Where to write the private key"
                + " (PKCS#8 PEM, readable by its owner only); never overwritten.")
        Path privateFile;

        @Option(names = "--public", required = true, paramLabel = "FILE", description = "Where to write the public key"
                + " (X.509 PEM); never overwritten.")
        Path publicFile;

        @Override
        public Integer call() {
            try {
                AuditKeys.generate(privateFile, publicFile);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                System.err.println("cannot make the keys: " + e.getFile() + " exists (a key file is never overwritten)");
                return Main.INVALID;
            } catch (IOException e) {
                System.err.println("cannot make the keys: " + describe(e));
                return Main.INVALID;
            }
            System.out.println("private key: " + privateFile + " (keep it secret; the file sink's signing-key-file)");
            System.out.println("public key: " + publicFile + " (for parapet audit verify --public-key)");
            return 0;
        }
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException missing) {
            return missing.getFile() + ": no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        return e.getMessage();
    }
}
