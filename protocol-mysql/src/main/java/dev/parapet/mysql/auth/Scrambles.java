package dev.parapet.mysql.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The client's answer to a server scramble for the two hash-based MySQL password plugins:
 * {@code mysql_native_password} (SHA-1, the MariaDB default) and the fast path of
 * {@code caching_sha2_password} (SHA-256, the MySQL 8 default, taken when the server still has
 * the user's hash cached). Both prove knowledge of the password without sending it, and both send
 * nothing at all for an empty password.
 */
public final class Scrambles {

    /** Length of the nonce both plugins are given: the 8 + 12 bytes of the initial handshake. */
    public static final int SCRAMBLE_LENGTH = 20;

    private Scrambles() {
    }

    /**
     * The 20-byte {@code mysql_native_password} response,
     * SHA1(password) XOR SHA1(scramble || SHA1(SHA1(password))), or an empty array for an empty
     * password.
     *
     * @param password the password's UTF-8 bytes
     * @param scramble the server's 20-byte nonce, without the NUL that may follow it on the wire
     */
    public static byte[] nativePassword(byte[] password, byte[] scramble) {
        checkScramble(scramble);
        if (password.length == 0) {
            return new byte[0];
        }
        MessageDigest sha1 = digest("SHA-1");
        byte[] stage1 = sha1.digest(password);
        byte[] stage2 = sha1.digest(stage1);
        sha1.update(scramble);
        sha1.update(stage2);
        return xorInto(stage1, sha1.digest());
    }

    /**
     * The 32-byte {@code caching_sha2_password} fast-path response,
     * SHA256(password) XOR SHA256(SHA256(SHA256(password)) || scramble), or an empty array for an
     * empty password.
     *
     * @param password the password's UTF-8 bytes
     * @param scramble the server's 20-byte nonce, without the NUL that may follow it on the wire
     */
    public static byte[] cachingSha2(byte[] password, byte[] scramble) {
        checkScramble(scramble);
        if (password.length == 0) {
            return new byte[0];
        }
        MessageDigest sha256 = digest("SHA-256");
        byte[] stage1 = sha256.digest(password);
        byte[] stage2 = sha256.digest(stage1);
        sha256.update(stage2);
        sha256.update(scramble);
        return xorInto(stage1, sha256.digest());
    }

    private static void checkScramble(byte[] scramble) {
        if (scramble.length != SCRAMBLE_LENGTH) {
            throw new IllegalArgumentException(
                    "a password scramble is " + SCRAMBLE_LENGTH + " bytes, not " + scramble.length);
        }
    }

    /** XORs {@code mask} into {@code target} (same length) and returns {@code target}. */
    private static byte[] xorInto(byte[] target, byte[] mask) {
        for (int i = 0; i < target.length; i++) {
            target[i] ^= mask[i];
        }
        return target;
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }
}
