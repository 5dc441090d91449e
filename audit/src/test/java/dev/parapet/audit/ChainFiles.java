package dev.parapet.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tests need to write and tamper with audit files: events, the lines of a file, and an
 * attacker's rewrite of the chain. Hashes are computed here from the documented format, not with
 * the sink's code, so that the tests check the format as written down.
 */
final class ChainFiles {

    private static final Pattern HEAD = Pattern.compile("^\\{\"seq\":(\\d+),\"prev\":\"([0-9a-f]{64})\"");
    private static final int SUFFIX = ",\"hash\":\"".length() + 64 + "\"}".length();

    private ChainFiles() {
    }

    static List<AuditEvent> events(TestClock clock, int from, int count) {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            events.add(AuditEvent.builder(AuditFields.STATEMENT, clock.instant()).session("s-1")
                    .put(AuditFields.USER_ID, "alice").put(AuditFields.QUERY_TEXT, "select * from orders where id = " + i)
                    .build());
        }
        return events;
    }

    static List<String> lines(Path file) throws IOException {
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static void write(Path file, List<String> lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The part of a line its hash covers: everything before {@code ,"hash":"}. */
    static String hashed(String line) {
        return line.substring(0, line.length() - SUFFIX);
    }

    static String hash(String line) {
        return line.substring(line.length() - SUFFIX + ",\"hash\":\"".length(), line.length() - 2);
    }

    static long seq(String line) {
        Matcher m = HEAD.matcher(line);
        if (!m.find()) {
            throw new AssertionError("not a chain line: " + line);
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * What someone who can write the file but has no signing key does to hide a change: from
     * {@code from} (0-based) on, numbers each line after the one before it, links it to that line's
     * hash and hashes it again.
     */
    static void rechain(List<String> lines, int from) {
        for (int i = from; i < lines.size(); i++) {
            relink(lines, i);
        }
    }

    /**
     * {@link #rechain}, and each checkpoint on the way made to vouch for the rewritten chain: what a
     * rewriter does whose checkpoints are not signed (or who hopes nobody checks the signatures).
     */
    static void rechainWithCheckpoints(List<String> lines, int from) {
        for (int i = from; i < lines.size(); i++) {
            String before = lines.get(i - 1);
            lines.set(i, lines.get(i).replaceFirst("\"checkpoint\":\\{\"seq\":\\d+,\"hash\":\"[0-9a-f]{64}\"",
                    "\"checkpoint\":{\"seq\":" + seq(before) + ",\"hash\":\"" + hash(before) + "\""));
            relink(lines, i);
        }
    }

    private static void relink(List<String> lines, int i) {
        String before = lines.get(i - 1);
        String body = HEAD.matcher(hashed(lines.get(i)))
                .replaceFirst("{\"seq\":" + (seq(before) + 1) + ",\"prev\":\"" + hash(before) + "\"");
        lines.set(i, body + ",\"hash\":\"" + sha256(body) + "\"}");
    }
}
