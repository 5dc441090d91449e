package dev.parapet.mysql.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;

/**
 * The RSA exchange of {@code caching_sha2_password} (its full authentication without TLS) and of
 * {@code sha256_password}: the server hands out its public key as PEM, and the client sends the
 * password, NUL-terminated and XORed with the scramble, encrypted with RSA-OAEP (SHA-1, MGF1).
 * Both ends are here: the client's {@link #encrypt} for talking to a MySQL server, and the
 * server's {@link #pem} and {@link #decrypt} for a gateway that asks its own clients for a password.
 */
public final class RsaPassword {

    private static final String TRANSFORMATION = "RSA/ECB/OAEPWithSHA-1AndMGF1Padding";
    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private RsaPassword() {
    }

    /**
     * The encrypted password the client sends: RSA-OAEP over (password || NUL) XOR the scramble
     * repeated to that length.
     *
     * @param password the password's UTF-8 bytes
     * @param scramble the server's nonce (20 bytes from a MySQL server)
     * @param key      the server's RSA public key
     * @throws IllegalArgumentException if the password is too long for the key (about 200 bytes
     *                                  for a 2048-bit key) or the key is not an RSA key
     */
    public static byte[] encrypt(byte[] password, byte[] scramble, PublicKey key) {
        byte[] masked = Arrays.copyOf(password, password.length + 1);
        xorScramble(masked, scramble);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key);
            return cipher.doFinal(masked);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot encrypt the password with this key: " + e.getMessage(), e);
        } finally {
            Arrays.fill(masked, (byte) 0);
        }
    }

    /**
     * The password's bytes (without the trailing NUL) from what a client sent, or empty when it
     * does not decrypt under this key or was not masked with this scramble.
     *
     * @param encrypted what the client sent
     * @param scramble  the nonce this connection's client was given
     * @param key       the private half of the key handed out with {@link #pem}
     */
    public static Optional<byte[]> decrypt(byte[] encrypted, byte[] scramble, PrivateKey key) {
        byte[] masked;
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key);
            masked = cipher.doFinal(encrypted);
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
        xorScramble(masked, scramble);
        if (masked.length == 0 || masked[masked.length - 1] != 0) {
            Arrays.fill(masked, (byte) 0);
            return Optional.empty();
        }
        byte[] password = Arrays.copyOf(masked, masked.length - 1);
        Arrays.fill(masked, (byte) 0);
        return Optional.of(password);
    }

    /**
     * Reads the PEM a server sends for its key: an X.509 SubjectPublicKeyInfo between
     * {@code -----BEGIN PUBLIC KEY-----} and {@code -----END PUBLIC KEY-----}; text around the
     * block (such as a trailing NUL) is ignored.
     *
     * @throws IllegalArgumentException if there is no such block or it holds no RSA key
     */
    public static PublicKey parsePublicKey(String pem) {
        int begin = pem.indexOf(BEGIN);
        int end = pem.indexOf(END, begin + 1);
        if (begin < 0 || end < 0) {
            throw new IllegalArgumentException("not a PEM public key: no " + BEGIN + " ... " + END + " block");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN.length(), end));
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the PEM block holds no RSA public key: " + e.getMessage(), e);
        }
    }

    /** The key as the server sends it: PEM, base64 in 64-character lines, ending in a newline. */
    public static String pem(PublicKey key) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded());
        return BEGIN + "\n" + body + "\n" + END + "\n";
    }

    private static void xorScramble(byte[] target, byte[] scramble) {
        if (scramble.length == 0) {
            throw new IllegalArgumentException("the scramble is empty");
        }
        for (int i = 0; i < target.length; i++) {
            target[i] ^= scramble[i % scramble.length];
        }
    }
}
