package dev.parapet.postgres.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it, without channel
 * binding: the gateway proves it knows its service password without sending it, and checks the
 * server's signature so a server that does not know the password cannot pass as the database.
 */
public final class ScramSha256Client {

    public static final String MECHANISM = "SCRAM-SHA-256";

    private final String password;
    private final String clientNonce;
    private final String user;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    public ScramSha256Client(String password) {
        this(password, newNonce());
    }

    /** With a fixed nonce: for tests. */
    ScramSha256Client(String password, String clientNonce) {
        this(password, clientNonce, "");
    }

    /**
     * With a fixed nonce and a user name in the client-first message: for tests against RFC 7677's
     * vector, which names its user (PostgreSQL's exchange leaves the name empty).
     */
    ScramSha256Client(String password, String clientNonce, String user) {
        this.password = password;
        this.clientNonce = clientNonce;
        this.user = user;
    }

    /** The client-first message. PostgreSQL takes the user from the startup packet, so none is sent here. */
    public byte[] clientFirst() {
        clientFirstBare = "n=" + user + ",r=" + clientNonce;
        return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /** The client-final message, computed from the server-first message. */
    public byte[] clientFinal(byte[] serverFirstBytes) throws AuthenticationFailure {
        String serverFirst = new String(serverFirstBytes, StandardCharsets.UTF_8);
        Map<Character, String> attributes = attributes(serverFirst);
        String nonce = attributes.get('r');
        String salt = attributes.get('s');
        String iterations = attributes.get('i');
        if (nonce == null || salt == null || iterations == null || !nonce.startsWith(clientNonce)) {
            throw new AuthenticationFailure("the server's SCRAM challenge is malformed or does not echo our nonce");
        }
        int rounds;
        try {
            rounds = Integer.parseInt(iterations);
        } catch (NumberFormatException e) {
            throw new AuthenticationFailure("the server's SCRAM iteration count is not a number");
        }
        if (rounds < 1 || rounds > 10_000_000) {
            throw new AuthenticationFailure("the server's SCRAM iteration count " + rounds + " is out of range");
        }
        String clientFinalWithoutProof = "c=biws,r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + clientFinalWithoutProof;
        try {
            byte[] salted = pbkdf2(password, Base64.getDecoder().decode(salt), rounds);
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            byte[] clientSignature = hmac(storedKey, authMessage);
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
                proof[i] = (byte) (clientKey[i] ^ clientSignature[i]);
            }
            expectedServerSignature = hmac(hmac(salted, "Server Key"), authMessage);
            return (clientFinalWithoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new AuthenticationFailure("cannot compute the SCRAM proof: " + e.getMessage());
        }
    }

    /** Checks the server-final message: the server must prove it knows the password too. */
    public void verifyServerFinal(byte[] serverFinalBytes) throws AuthenticationFailure {
        String serverFinal = new String(serverFinalBytes, StandardCharsets.UTF_8);
        Map<Character, String> attributes = attributes(serverFinal);
        if (attributes.containsKey('e')) {
            throw new AuthenticationFailure("the server rejected the SCRAM exchange: " + attributes.get('e'));
        }
        String signature = attributes.get('v');
        if (signature == null || expectedServerSignature == null
                || !MessageDigest.isEqual(expectedServerSignature, Base64.getDecoder().decode(signature))) {
            throw new AuthenticationFailure("the server's SCRAM signature is wrong: it may not be the real database");
        }
    }

    private static Map<Character, String> attributes(String message) {
        Map<Character, String> map = new HashMap<>();
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(1) == '=') {
                map.put(part.charAt(0), part.substring(2));
            }
        }
        return map;
    }

    private static byte[] pbkdf2(String password, byte[] salt, int rounds) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, rounds, 256);
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    }

    private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String newNonce() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
