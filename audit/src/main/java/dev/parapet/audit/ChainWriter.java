package dev.parapet.audit;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;

/**
 * Appends lines of the hash chain to a buffer the file sink writes out in one go: numbers each
 * line, links it to the hash of the one before, hashes it and, for checkpoints, signs. Owns the
 * chain's position (the last seq and hash); the sink owns the file. Not thread-safe.
 *
 * <p>An event costs one copy of its JSON into the buffer and one SHA-256 over the line; the digest,
 * the signature and the buffer are reused.
 */
final class ChainWriter {

    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();

    private final MessageDigest sha256;
    private final Signature signer;
    private final byte[] digest = new byte[32];
    private final byte[] lastHash = new byte[64];
    private long lastSeq;
    private byte[] buffer = new byte[64 * 1024];
    private int length;
    private int lineStart;

    /** A writer signing checkpoints with {@code signingKey} (Ed25519), or leaving them unsigned when null. */
    ChainWriter(PrivateKey signingKey) {
        this.sha256 = sha256();
        try {
            if (signingKey == null) {
                this.signer = null;
            } else {
                this.signer = Signature.getInstance("Ed25519");
                this.signer.initSign(signingKey);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the signing key is not an Ed25519 private key: " + e.getMessage(), e);
        }
        resume(0, ChainLine.GENESIS);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Goes on from the line {@code seq} whose hash is {@code hash} (0 and the genesis hash: a new chain). */
    void resume(long seq, String hash) {
        this.lastSeq = seq;
        for (int i = 0; i < lastHash.length; i++) {
            lastHash[i] = (byte) hash.charAt(i);
        }
    }

    long lastSeq() {
        return lastSeq;
    }

    String lastHash() {
        return new String(lastHash, StandardCharsets.US_ASCII);
    }

    /** The lines appended since the last {@link #clear()}. */
    byte[] buffer() {
        return buffer;
    }

    int length() {
        return length;
    }

    void clear() {
        length = 0;
    }

    void event(AuditEvent event) {
        begin("event");
        append(event.json());
        end();
    }

    void start(Instant time, String instance) {
        begin("start");
        ascii("{\"time\":\"").ascii(format(time)).ascii("\"");
        if (instance != null && !instance.isBlank()) {
            ascii(",\"instance\":\"").append(ESCAPE.quoteAsUTF8(instance)).ascii("\"");
        }
        ascii("}");
        end();
    }

    void rotatedFrom(String file, Instant time) {
        begin("rotated-from");
        ascii("{\"file\":\"").append(ESCAPE.quoteAsUTF8(file)).ascii("\",\"time\":\"").ascii(format(time)).ascii("\"}");
        end();
    }

    void recovered(Instant time, String reason, long truncatedBytes, String truncatedSha256) {
        begin("recovered");
        ascii("{\"time\":\"").ascii(format(time)).ascii("\",\"reason\":\"").append(ESCAPE.quoteAsUTF8(reason))
                .ascii("\",\"truncated-bytes\":").ascii(Long.toString(truncatedBytes))
                .ascii(",\"truncated-sha256\":\"").ascii(truncatedSha256).ascii("\"}");
        end();
    }

    /** A checkpoint over the chain so far, promising the next one within {@code nextWithin} events. */
    void checkpoint(Instant time, int nextWithin) {
        String at = format(time);
        String hash = lastHash();
        String signature = null;
        if (signer != null) {
            try {
                signer.update(ChainLine.Checkpoint.signedMessage(lastSeq, hash, at, nextWithin));
                signature = Base64.getEncoder().encodeToString(signer.sign());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("signing a checkpoint failed", e);
            }
        }
        begin("checkpoint");
        ascii("{\"seq\":").ascii(Long.toString(lastSeq)).ascii(",\"hash\":\"").ascii(hash)
                .ascii("\",\"time\":\"").ascii(at).ascii("\",\"next-within\":").ascii(Integer.toString(nextWithin));
        if (signature != null) {
            ascii(",\"signature\":\"").ascii(signature).ascii("\"");
        }
        ascii("}");
        end();
    }

    static String format(Instant time) {
        return DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.MICROS));
    }

    private void begin(String kind) {
        lineStart = length;
        ascii("{\"seq\":").ascii(Long.toString(lastSeq + 1)).ascii(",\"prev\":\"").append(lastHash)
                .ascii("\",\"").ascii(kind).ascii("\":");
    }

    /** Hashes the line so far, then closes it with its hash and a newline. */
    private void end() {
        sha256.update(buffer, lineStart, length - lineStart);
        try {
            sha256.digest(digest, 0, digest.length);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < digest.length; i++) {
            lastHash[2 * i] = HEX_DIGITS[(digest[i] >> 4) & 0xF];
            lastHash[2 * i + 1] = HEX_DIGITS[digest[i] & 0xF];
        }
        lastSeq++;
        ascii(",\"hash\":\"").append(lastHash).ascii("\"}\n");
    }

    /** Appends text known to be ASCII (numbers, hex, base64, fixed keys, formatted times). */
    private ChainWriter ascii(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buffer[length + i] = (byte) text.charAt(i);
        }
        length += n;
        return this;
    }

    private ChainWriter append(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
        return this;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
