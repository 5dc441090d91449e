package dev.parapet.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditKeysTest {

    @TempDir
    Path dir;

    @Test
    void makesAPairOfPemFilesWhosePrivateKeySignsWhatThePublicKeyVerifies() throws Exception {
        Path privateFile = dir.resolve("audit-signing.pem");
        Path publicFile = dir.resolve("audit-signing.pub.pem");
        AuditKeys.generate(privateFile, publicFile);
        assertThat(Files.readString(privateFile)).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(Files.readString(publicFile)).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile))).isEqualTo("rw-------");
        }
        byte[] message = "checkpoint".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(AuditKeys.readPrivateKey(privateFile));
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(AuditKeys.readPublicKey(publicFile));
        verifier.update(message);
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void neverOverwritesAKey() throws Exception {
        Path privateFile = dir.resolve("private.pem");
        Files.writeString(privateFile, "the key in use");
        assertThatThrownBy(() -> AuditKeys.generate(privateFile, dir.resolve("public.pem")))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(privateFile)).isEqualTo("the key in use");
        assertThat(dir.resolve("public.pem")).doesNotExist();
    }

    @Test
    void tellsAPublicKeyFromAPrivateOne() throws Exception {
        AuditKeys.generate(dir.resolve("private.pem"), dir.resolve("public.pem"));
        assertThatThrownBy(() -> AuditKeys.readPublicKey(dir.resolve("private.pem")))
                .hasMessageContaining("holds no PEM block '-----BEGIN PUBLIC KEY-----'");
        assertThatThrownBy(() -> AuditKeys.readPrivateKey(dir.resolve("public.pem")))
                .hasMessageContaining("holds no PEM block '-----BEGIN PRIVATE KEY-----'");
    }
}
