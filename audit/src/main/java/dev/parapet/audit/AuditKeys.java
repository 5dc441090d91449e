package dev.parapet.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The Ed25519 keys that sign and check the file sink's checkpoints, as PEM files: the private key
 * in PKCS#8 ({@code BEGIN PRIVATE KEY}, the sink's {@code signing-key-file}), the public key in
 * X.509 SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}, for {@code parapet audit verify}). Keys made
 * by {@code openssl genpkey -algorithm ed25519} read the same.
 */
public final class AuditKeys {

    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    private AuditKeys() {
    }

    /**
     * Makes a new key pair and writes it to two new files; the private one is readable by its owner
     * only where the file system has POSIX permissions.
     *
     * @throws java.nio.file.FileAlreadyExistsException when either file exists (a key is never overwritten)
     */
    public static void generate(Path privateFile, Path publicFile) throws IOException {
        if (Files.exists(privateFile) || Files.exists(publicFile)) {
            throw new java.nio.file.FileAlreadyExistsException(Files.exists(privateFile) ? privateFile.toString()
                    : publicFile.toString(), null, "a key file is never overwritten");
        }
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(privateFile, pem(PRIVATE, pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        Files.writeString(publicFile, pem(PUBLIC, pair.getPublic().getEncoded()), StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /**
     * Reads an Ed25519 private key from a PKCS#8 PEM file.
     *
     * @throws IllegalArgumentException when the file holds no such key
     */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        byte[] der = der(file, PRIVATE);
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 private key", e);
        }
    }

    /**
     * Reads an Ed25519 public key from an X.509 PEM file.
     *
     * @throws IllegalArgumentException when the file holds no such key
     */
    public static PublicKey readPublicKey(Path file) throws IOException {
        byte[] der = der(file, PUBLIC);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 public key", e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] der(Path file, String label) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(file + " holds no PEM block '" + begin + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the PEM block is not valid base64", e);
        }
    }
}
