package dev.parapet.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks files written by the file sink: that every line is as it was written, that no line is
 * missing, added or moved, within a file or between files, and that the checkpoints vouch for the
 * chain, their signatures checked with the sink's public key. It finds edits, removals,
 * reorderings and cut files; it finds a chain rewritten from some line on with recomputed hashes
 * only through the signed checkpoints after that line, which the rewriter cannot sign again.
 *
 * <p>The files (the rotated ones and the live one) may be given in any order: they are put in chain
 * order by the seq of their first line. The chain must start at seq 1 unless the verifier is told
 * that its first files are gone (removed by retention).
 */
public final class AuditFileVerifier {

    private final PublicKey publicKey;
    private final boolean startMayBeMissing;

    /**
     * @param publicKey the Ed25519 key the checkpoints must be signed with; null: signatures are not
     *     checked, and the result warns so
     * @param startMayBeMissing whether the chain may begin after seq 1, its first files gone
     */
    public AuditFileVerifier(PublicKey publicKey, boolean startMayBeMissing) {
        this.publicKey = publicKey;
        this.startMayBeMissing = startMayBeMissing;
    }

    /** What a problem found means. */
    public enum Kind {
        /** A line's content does not match its hash, it is not a line of the chain, or it is linked to a replaced line. */
        TAMPERED("TAMPERED"),
        /** Lines are missing: a gap in seq, a missing file, or a checkpoint gone. */
        REMOVED("REMOVED"),
        /** A line is out of its place: seq goes backwards or repeats. */
        REORDERED("REORDERED"),
        /** A file ends inside a line, or is empty. */
        TRUNCATED("TRUNCATED"),
        /** A checkpoint's signature does not verify with the public key, or it is unsigned though a key was given. */
        BAD_SIGNATURE("BAD SIGNATURE"),
        /** A checkpoint vouches for another seq or hash than the chain has before it: the chain was rewritten. */
        CHECKPOINT_MISMATCH("CHECKPOINT MISMATCH");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * A problem, where it shows.
     *
     * @param line the line's number in its file, from 1
     * @param seq the line's seq, 0 when it cannot be read
     */
    public record Problem(Kind kind, Path file, long line, long seq, String message) {

        /** {@code TAMPERED: audit.jsonl line 17 (seq 17): the line's hash does not match its content}. */
        public String describe() {
            return kind.label() + ": " + file + " line " + line + (seq > 0 ? " (seq " + seq + ")" : "") + ": " + message;
        }
    }

    /** Something that is no proof of tampering, but limits what the check proves. */
    public record Warning(Kind kind, String message) {

        public enum Kind {
            /** Events after the last checkpoint: they could be removed or rewritten without detection. */
            UNPROTECTED_EVENTS,
            /** Checkpoints without a signature: the whole chain could be rewritten with them. */
            UNSIGNED_CHECKPOINTS,
            /** Signed checkpoints, but no public key to check them with. */
            SIGNATURES_NOT_CHECKED,
            /** The sink cut off a line left incomplete by a crash, and recorded it. */
            RECOVERED
        }
    }

    /**
     * What the check found: the problems in chain order (the first is where the trail stops being
     * trustworthy), warnings, and what was checked.
     *
     * @param checkpoints checkpoints in the chain
     * @param verifiedSignatures checkpoints whose signature was checked and holds
     * @param firstSeq the seq of the chain's first line, 0 when there is none
     */
    public record Result(List<Problem> problems, List<Warning> warnings, int files, long events, int checkpoints,
            int verifiedSignatures, long firstSeq, long lastSeq, Optional<Instant> firstEventTime,
            Optional<Instant> lastEventTime) {

        public boolean ok() {
            return problems.isEmpty();
        }

        public Optional<Problem> firstProblem() {
            return problems.stream().findFirst();
        }
    }

    /**
     * Checks {@code files}, given in any order.
     *
     * @throws IOException when a file cannot be read
     */
    public Result verify(List<Path> files) throws IOException {
        return new Walk(chainOrder(files)).run();
    }

    /** The files sorted by the seq of their first line; those whose first line cannot be read go last. */
    private static List<Path> chainOrder(List<Path> files) throws IOException {
        MessageDigest sha256 = ChainWriter.sha256();
        Map<Path, Long> firstSeq = new HashMap<>();
        for (Path file : files) {
            long seq = Long.MAX_VALUE;
            try (LineReader reader = new LineReader(file)) {
                if (reader.next()) {
                    seq = ChainLine.parse(reader.bytes(), reader.length(), sha256).seq();
                }
            } catch (IllegalArgumentException e) {
                // reported when the file is checked
            }
            firstSeq.put(file, seq);
        }
        List<Path> ordered = new ArrayList<>(files);
        ordered.sort(Comparator.comparing(firstSeq::get));
        return ordered;
    }

    /** One check of a list of files, line after line in chain order. */
    private final class Walk {
        private final List<Path> files;
        private final List<Problem> problems = new ArrayList<>();
        private final List<Warning> warnings = new ArrayList<>();
        private final MessageDigest sha256 = ChainWriter.sha256();
        private final Signature signature;

        // the latest line in chain order
        private boolean started;
        private long lastSeq;
        private String lastHash;
        private Path lastFile;
        private long lastLine;
        /** A skipped seq: moved if it shows up later, removed if it never does. */
        private Gap gap;

        private long events;
        private long firstSeq;
        private Instant firstTime;
        private Instant lastTime;
        private int checkpoints;
        private int verified;
        private int signedUnchecked;
        private int unsigned;
        private long eventsSinceCheckpoint;
        private int promise;
        private Path checkpointFile;
        private long checkpointLine;
        private boolean promiseBroken;

        private record Gap(long expected, long found, Path file, long line, String message) {
        }

        Walk(List<Path> files) {
            this.files = files;
            try {
                this.signature = publicKey == null ? null : Signature.getInstance("Ed25519");
                if (signature != null) {
                    signature.initVerify(publicKey);
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("the public key is not an Ed25519 key: " + e.getMessage(), e);
            }
        }

        Result run() throws IOException {
            for (Path file : files) {
                long number = 0;
                try (LineReader reader = new LineReader(file)) {
                    while (reader.next()) {
                        number++;
                        if (!reader.terminated()) {
                            problem(Kind.TRUNCATED, file, number, 0, "the last line is incomplete (" + reader.length()
                                    + " bytes without a newline): the file was cut, or the gateway stopped while writing"
                                    + " it (the sink cuts such a line off and records it when it opens the file again)");
                            break;
                        }
                        check(file, number, reader.bytes(), reader.length());
                    }
                }
                if (number == 0) {
                    problem(Kind.TRUNCATED, file, 1, 0, "the file is empty");
                }
            }
            if (gap != null) {
                problem(Kind.REMOVED, gap.file(), gap.line(), gap.found(), gap.message());
            }
            warnings();
            Map<Path, Integer> position = new HashMap<>();
            for (int i = files.size() - 1; i >= 0; i--) {
                position.put(files.get(i), i);
            }
            problems.sort(Comparator.comparing((Problem p) -> position.get(p.file())).thenComparingLong(Problem::line));
            return new Result(List.copyOf(problems), List.copyOf(warnings), files.size(), events, checkpoints, verified,
                    firstSeq, lastSeq, Optional.ofNullable(firstTime), Optional.ofNullable(lastTime));
        }

        private void check(Path file, long number, byte[] bytes, int length) {
            ChainLine line;
            try {
                line = ChainLine.parse(bytes, length, sha256);
            } catch (IllegalArgumentException e) {
                problem(Kind.TAMPERED, file, number, 0, "not a line of the audit chain (" + e.getMessage() + ")");
                // taken as the line expected here, so that only this line is reported
                at(started ? lastSeq + 1 : 1, null, file, number);
                return;
            }
            if (!line.intact()) {
                problem(Kind.TAMPERED, file, number, line.seq(), "the line's hash does not match its content: the line was edited");
                if (line.isEvent()) {
                    events++;
                }
                at(started ? lastSeq + 1 : line.seq(), line.hash(), file, number);
                return;
            }
            if (!started) {
                first(line, file, number);
            } else if (line.seq() == lastSeq + 1) {
                if (lastHash != null && !line.prev().equals(lastHash)) {
                    problem(Kind.TAMPERED, file, number, line.seq(), "its prev is not the hash of the line before it ("
                            + lastFile.getFileName() + " line " + lastLine + "): that line was replaced");
                }
            } else if (line.seq() > lastSeq + 1) {
                skipped(line, file, number);
            } else {
                outOfPlace(line, file, number);
                return;
            }
            at(line.seq(), line.hash(), file, number);
            body(line, file, number);
        }

        private void first(ChainLine line, Path file, long number) {
            if (line.seq() == 1) {
                if (!(line.body() instanceof ChainLine.Start) || !line.prev().equals(ChainLine.GENESIS)) {
                    problem(Kind.TAMPERED, file, number, 1, "the chain's first line is not a start line linked to 64 zeros");
                }
            } else if (!startMayBeMissing) {
                problem(Kind.REMOVED, file, number, line.seq(), "the chain starts at seq " + line.seq() + ", not 1: "
                        + (line.body() instanceof ChainLine.RotatedFrom from
                                ? "the file it continues from (" + from.file() + ") and those before it were not given"
                                        + " (if retention removed them, allow a missing start)"
                                : "its first lines were removed"));
            }
        }

        private void skipped(ChainLine line, Path file, long number) {
            long missing = line.seq() - lastSeq - 1;
            String lines = missing == 1 ? "seq " + (lastSeq + 1) + " is missing" : "seq " + (lastSeq + 1) + " to "
                    + (line.seq() - 1) + " (" + missing + " lines) are missing";
            String message;
            if (number == 1 && line.body() instanceof ChainLine.RotatedFrom from) {
                message = lastFile.getFileName().toString().equals(from.file())
                        ? lines + ": the last lines of " + from.file() + " were removed"
                        : lines + ": the file it continues from, " + from.file() + ", was not given";
            } else {
                message = lines + ": removed before this line";
            }
            if (gap != null) {
                problem(Kind.REMOVED, gap.file(), gap.line(), gap.found(), gap.message());
            }
            gap = new Gap(lastSeq + 1, line.seq(), file, number, message);
        }

        private void outOfPlace(ChainLine line, Path file, long number) {
            if (gap != null && line.seq() == gap.expected()) {
                problem(Kind.REORDERED, gap.file(), gap.line(), gap.found(), "seq " + gap.found() + " comes before seq "
                        + gap.expected() + " (" + file.getFileName() + " line " + number + "): lines were moved or swapped");
                gap = null;
            } else {
                problem(Kind.REORDERED, file, number, line.seq(), "seq " + line.seq() + " comes after seq " + lastSeq
                        + ": the line was moved or copied here");
            }
        }

        private void body(ChainLine line, Path file, long number) {
            switch (line.body()) {
                case ChainLine.Event event -> event(event, line, file, number);
                case ChainLine.Checkpoint checkpoint -> checkpoint(checkpoint, line, file, number);
                case ChainLine.Start start -> {
                    if (line.seq() != 1) {
                        problem(Kind.TAMPERED, file, number, line.seq(), "a chain's start line in the middle of the chain");
                    }
                }
                case ChainLine.RotatedFrom from -> {
                    // its link to the file before is checked like any line's
                }
                case ChainLine.Recovered recovered -> warnings.add(new Warning(Warning.Kind.RECOVERED, file + " line "
                        + number + ": the gateway cut off an incomplete line of " + recovered.truncatedBytes()
                        + " bytes left by a crash (SHA-256 " + recovered.truncatedSha256() + ")"));
            }
        }

        private void event(ChainLine.Event event, ChainLine line, Path file, long number) {
            events++;
            eventsSinceCheckpoint++;
            if (event.time() != null) {
                try {
                    Instant time = Instant.parse(event.time());
                    firstTime = firstTime == null ? time : firstTime;
                    lastTime = time;
                } catch (DateTimeParseException e) {
                    // the event's own content; the chain does not depend on it
                }
            }
            if (checkpoints > 0 && eventsSinceCheckpoint > promise && !promiseBroken) {
                promiseBroken = true;
                problem(Kind.REMOVED, file, number, line.seq(), "more than " + promise + " events since the checkpoint at "
                        + checkpointFile.getFileName() + " line " + checkpointLine + ", which promised the next within "
                        + promise + ": checkpoints were removed, and the lines after it may have been rewritten");
            }
        }

        private void checkpoint(ChainLine.Checkpoint checkpoint, ChainLine line, Path file, long number) {
            checkpoints++;
            eventsSinceCheckpoint = 0;
            promise = checkpoint.nextWithin();
            promiseBroken = false;
            checkpointFile = file;
            checkpointLine = number;
            if (checkpoint.seq() != line.seq() - 1 || !checkpoint.hash().equals(line.prev())) {
                problem(Kind.CHECKPOINT_MISMATCH, file, number, line.seq(), "the checkpoint vouches for seq "
                        + checkpoint.seq() + " with hash " + checkpoint.hash().substring(0, 12) + "..., but the chain has seq "
                        + (line.seq() - 1) + " with hash " + line.prev().substring(0, 12) + "...: the lines before it were rewritten");
                return;
            }
            if (signature == null) {
                if (checkpoint.signature() == null) {
                    unsigned++;
                } else {
                    signedUnchecked++;
                }
            } else if (checkpoint.signature() == null) {
                problem(Kind.BAD_SIGNATURE, file, number, line.seq(),
                        "the checkpoint is not signed, though a public key was given: it may have been forged");
            } else if (!signatureHolds(checkpoint)) {
                problem(Kind.BAD_SIGNATURE, file, number, line.seq(), "the checkpoint's signature does not verify with the"
                        + " public key: the checkpoint was forged or altered, or signed with another key");
            } else {
                verified++;
            }
        }

        private boolean signatureHolds(ChainLine.Checkpoint checkpoint) {
            try {
                signature.update(checkpoint.signedMessage());
                return signature.verify(Base64.getDecoder().decode(checkpoint.signature()));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                return false;
            }
        }

        private void warnings() {
            if (events > 0 && checkpoints == 0) {
                warnings.add(new Warning(Warning.Kind.UNPROTECTED_EVENTS, "no checkpoint: all " + events
                        + " events could be removed or rewritten without detection"));
            } else if (eventsSinceCheckpoint > 0) {
                warnings.add(new Warning(Warning.Kind.UNPROTECTED_EVENTS, eventsSinceCheckpoint + " event(s) after the"
                        + " last checkpoint (" + checkpointFile + " line " + checkpointLine + ") could be removed or"
                        + " rewritten without detection"));
            }
            if (unsigned > 0) {
                warnings.add(new Warning(Warning.Kind.UNSIGNED_CHECKPOINTS, unsigned + " checkpoint(s) are not signed:"
                        + " whoever can write the files could rewrite the chain with them unnoticed (give the sink a"
                        + " signing-key-file)"));
            }
            if (signedUnchecked > 0) {
                warnings.add(new Warning(Warning.Kind.SIGNATURES_NOT_CHECKED, signedUnchecked + " signed checkpoint(s)"
                        + " were not checked: no public key was given"));
            }
        }

        private void at(long seq, String hash, Path file, long number) {
            if (!started) {
                started = true;
                firstSeq = seq;
            }
            lastSeq = seq;
            lastHash = hash;
            lastFile = file;
            lastLine = number;
        }

        private void problem(Kind kind, Path file, long line, long seq, String message) {
            problems.add(new Problem(kind, file, line, seq, message));
        }
    }
}
