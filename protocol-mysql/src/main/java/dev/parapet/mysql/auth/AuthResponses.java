package dev.parapet.mysql.auth;

import java.security.GeneralSecurityException;
import java.util.Arrays;

/** What the gateway answers a database's authentication plugin with, when it logs in with service credentials. */
public final class AuthResponses {

    private AuthResponses() {
    }

    /**
     * The first answer to {@code plugin} with its {@code scramble}. caching_sha2_password starts
     * with its scrambled hash (the server may then ask for the full exchange); sha256_password
     * and mysql_clear_password with the password itself, followed by a NUL.
     */
    public static byte[] first(String plugin, byte[] password, byte[] scramble) throws GeneralSecurityException {
        return switch (plugin) {
            case "mysql_native_password" -> Scrambles.nativePassword(password, Arrays.copyOf(scramble, Math.min(20, scramble.length)));
            case "caching_sha2_password" -> Scrambles.cachingSha2(password, Arrays.copyOf(scramble, Math.min(20, scramble.length)));
            case "client_ed25519" -> Ed25519Password.sign(password, Arrays.copyOf(scramble, Ed25519Password.SCRAMBLE_LENGTH));
            case "mysql_clear_password", "sha256_password" -> withNul(password);
            default -> throw new GeneralSecurityException("the database asks for authentication plugin " + plugin
                    + ", which the gateway does not speak");
        };
    }

    /** The password encrypted with the server's RSA public key ({@code pem}) for the full exchange without TLS. */
    public static byte[] rsa(byte[] password, byte[] scramble, String pem) {
        return RsaPassword.encrypt(password, Arrays.copyOf(scramble, Math.min(20, scramble.length)),
                RsaPassword.parsePublicKey(pem));
    }

    public static byte[] withNul(byte[] password) {
        return Arrays.copyOf(password, password.length + 1);
    }
}
