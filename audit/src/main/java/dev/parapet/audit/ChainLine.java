package dev.parapet.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of an audit file, read back: its place in the hash chain ({@code seq}, {@code prev},
 * {@code hash}), whether its hash matches its bytes, and what it records. The writer is
 * {@link ChainWriter}; docs/audit-file-format.md describes the format.
 *
 * <p>A line is {@code {"seq":N,"prev":"<hex>","<kind>":{...},"hash":"<hex>"}} and nothing else, in
 * that order, without spaces; its hash is the SHA-256 of every byte before {@code ,"hash":"}.
 *
 * @param intact whether {@code hash} is the SHA-256 of the line's bytes before {@code ,"hash":"}
 */
record ChainLine(long seq, String prev, String hash, boolean intact, Body body) {

    /** The {@code prev} of the first line of a chain. */
    static final String GENESIS = "0".repeat(64);

    /** What ends every line after its hashed part: {@code ,"hash":"} 64 hex digits {@code "}}. */
    static final int SUFFIX_LENGTH = ",\"hash\":\"".length() + 64 + "\"}".length();

    private static final JsonFactory JSON = new JsonFactory();
    private static final HexFormat HEX = HexFormat.of();

    /** What a line records; the name of its member in the line is the kind. */
    sealed interface Body permits Event, Checkpoint, Start, RotatedFrom, Recovered {
    }

    /** An audit event, its JSON kept verbatim in the line; only what verifying needs is read back. */
    record Event(String id, String time) implements Body {
    }

    /**
     * A statement, signed when the sink has a key, that the chain up to line {@code seq} ended with
     * {@code hash} at {@code time}, and that the next checkpoint follows within {@code nextWithin}
     * events.
     *
     * @param signature Ed25519 over {@link #signedMessage}, base64; null when unsigned
     */
    record Checkpoint(long seq, String hash, String time, int nextWithin, String signature) implements Body {

        /** The bytes signed: the checkpoint's fields as text, one per line, after a fixed label. */
        byte[] signedMessage() {
            return signedMessage(seq, hash, time, nextWithin);
        }

        static byte[] signedMessage(long seq, String hash, String time, int nextWithin) {
            return ("parapet-audit-checkpoint/1\nseq=" + seq + "\nhash=" + hash + "\ntime=" + time
                    + "\nnext-within=" + nextWithin + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The first line of a chain (seq 1). */
    record Start(String time, String instance) implements Body {
    }

    /** The first line of a file after rotation: the chain goes on from the last line of {@code file}. */
    record RotatedFrom(String file, String time) implements Body {
    }

    /** The sink cut {@code truncatedBytes} from the end of the file (an incomplete line) before going on. */
    record Recovered(String time, String reason, long truncatedBytes, String truncatedSha256) implements Body {
    }

    boolean isEvent() {
        return body instanceof Event;
    }

    /**
     * Reads {@code line[0, length)} (no newline).
     *
     * @throws IllegalArgumentException saying why, when it is not a line of the chain
     */
    static ChainLine parse(byte[] line, int length, MessageDigest sha256) {
        if (length < SUFFIX_LENGTH + 2) {
            throw new IllegalArgumentException("too short to be a line of the chain");
        }
        long seq;
        String prev;
        Body body;
        String hash;
        try (JsonParser p = JSON.createParser(line, 0, length)) {
            expect(p, JsonToken.START_OBJECT, "a JSON object");
            field(p, "seq");
            expect(p, JsonToken.VALUE_NUMBER_INT, "seq as a whole number");
            seq = p.getLongValue();
            if (seq < 1) {
                throw new IllegalArgumentException("seq must be 1 or more");
            }
            field(p, "prev");
            prev = hex(p, "prev");
            expect(p, JsonToken.FIELD_NAME, "the line's kind after prev");
            String kind = p.currentName();
            expect(p, JsonToken.START_OBJECT, kind + " as an object");
            body = switch (kind) {
                case "event" -> event(p);
                case "checkpoint" -> checkpoint(flat(p));
                case "start" -> {
                    Map<String, Object> fields = flat(p);
                    yield new Start(text(fields, "time", true), text(fields, "instance", false));
                }
                case "rotated-from" -> {
                    Map<String, Object> fields = flat(p);
                    yield new RotatedFrom(text(fields, "file", true), text(fields, "time", true));
                }
                case "recovered" -> recovered(flat(p));
                default -> throw new IllegalArgumentException("unknown kind of line '" + kind + "'");
            };
            field(p, "hash");
            hash = hex(p, "hash");
            expect(p, JsonToken.END_OBJECT, "the end of the line after hash");
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("more after the end of the line");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (!suffixIs(line, length, hash)) {
            throw new IllegalArgumentException("the line does not end with ,\"hash\":\"...\"} as written");
        }
        sha256.update(line, 0, length - SUFFIX_LENGTH);
        boolean intact = HEX.formatHex(sha256.digest()).equals(hash);
        return new ChainLine(seq, prev, hash, intact, body);
    }

    private static boolean suffixIs(byte[] line, int length, String hash) {
        byte[] suffix = (",\"hash\":\"" + hash + "\"}").getBytes(StandardCharsets.US_ASCII);
        return java.util.Arrays.equals(line, length - SUFFIX_LENGTH, length, suffix, 0, suffix.length);
    }

    private static Event event(JsonParser p) throws IOException {
        String id = null;
        String time = null;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_STRING && key.equals(AuditFields.EVENT_ID)) {
                id = p.getText();
            } else if (value == JsonToken.VALUE_STRING && key.equals(AuditFields.TIME)) {
                time = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return new Event(id, time);
    }

    private static Checkpoint checkpoint(Map<String, Object> fields) {
        Object seq = fields.get("seq");
        Object nextWithin = fields.get("next-within");
        if (!(seq instanceof Long s) || !(nextWithin instanceof Long n) || n < 1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a checkpoint needs seq and next-within as whole numbers");
        }
        String hash = text(fields, "hash", true);
        if (!isHex(hash)) {
            throw new IllegalArgumentException("a checkpoint's hash must be 64 hex digits");
        }
        return new Checkpoint(s, hash, text(fields, "time", true), n.intValue(), text(fields, "signature", false));
    }

    private static Recovered recovered(Map<String, Object> fields) {
        Object bytes = fields.get("truncated-bytes");
        return new Recovered(text(fields, "time", true), text(fields, "reason", false),
                bytes instanceof Long n ? n : 0, text(fields, "truncated-sha256", false));
    }

    /** An object of text and whole numbers, read up to its end. */
    private static Map<String, Object> flat(JsonParser p) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String key = p.currentName();
            switch (p.nextToken()) {
                case VALUE_STRING -> fields.put(key, p.getText());
                case VALUE_NUMBER_INT -> fields.put(key, p.getLongValue());
                default -> throw new IllegalArgumentException("unexpected value for '" + key + "'");
            }
        }
        return fields;
    }

    private static String text(Map<String, Object> fields, String key, boolean required) {
        Object value = fields.get(key);
        if (value instanceof String s) {
            return s;
        }
        if (required) {
            throw new IllegalArgumentException("'" + key + "' is missing");
        }
        return null;
    }

    private static void field(JsonParser p, String name) throws IOException {
        if (p.nextToken() != JsonToken.FIELD_NAME || !p.currentName().equals(name)) {
            throw new IllegalArgumentException("expected '" + name + "' in its place");
        }
    }

    private static String hex(JsonParser p, String name) throws IOException {
        expect(p, JsonToken.VALUE_STRING, name + " as text");
        String value = p.getText();
        if (!isHex(value)) {
            throw new IllegalArgumentException(name + " must be 64 lowercase hex digits");
        }
        return value;
    }

    static boolean isHex(String value) {
        if (value.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static void expect(JsonParser p, JsonToken token, String what) throws IOException {
        if (p.nextToken() != token) {
            throw new IllegalArgumentException("expected " + what);
        }
    }
}
