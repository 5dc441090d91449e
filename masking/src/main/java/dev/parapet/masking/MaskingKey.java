package dev.parapet.masking;

import dev.parapet.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret behind {@link MaskStrategy.KeyedHash}. Every replica of the gateway must be given the
 * same key for pseudonyms to agree between them; changing it changes every pseudonym. Each thread
 * keeps its own initialised {@link Mac}, so the hot path neither locks nor re-derives the key.
 */
public final class MaskingKey {

    /** Below this an attacker could try every key; 32 random bytes is the recommendation. */
    public static final int MIN_LENGTH = 16;

    private final SecretKeySpec spec;
    private final ThreadLocal<Mac> macs;

    private MaskingKey(byte[] key) {
        if (key.length < MIN_LENGTH) {
            throw new IllegalArgumentException(
                    "a masking key needs at least " + MIN_LENGTH + " bytes, got " + key.length);
        }
        this.spec = new SecretKeySpec(Arrays.copyOf(key, key.length), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    public static MaskingKey of(byte[] key) {
        return new MaskingKey(key);
    }

    /** The key as configured (UTF-8 bytes of the secret's text). */
    public static MaskingKey of(Secret secret) {
        return new MaskingKey(secret.reveal().getBytes(StandardCharsets.UTF_8));
    }

    /** HMAC-SHA256 of {@code data[offset, offset + length)}: 32 bytes. */
    byte[] digest(byte[] data, int offset, int length) {
        Mac mac = macs.get();
        mac.update(data, offset, length);
        return mac.doFinal();
    }

    byte[] digest(byte[] data) {
        return digest(data, 0, data.length);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(spec);
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 refused the masking key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
    }

    @Override
    public String toString() {
        return "MaskingKey(secret)";
    }
}
