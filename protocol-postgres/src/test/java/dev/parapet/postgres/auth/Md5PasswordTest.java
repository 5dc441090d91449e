package dev.parapet.postgres.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Expected values come from PostgreSQL 15 itself: the inner hash is what it stores in
 * pg_authid.rolpassword under password_encryption = md5 ("md5" + md5(password || user)), and the
 * response is what it computes with
 * {@code select 'md5' || md5(convert_to(md5(password || user), 'UTF8') || salt::bytea)}.
 */
class Md5PasswordTest {

    private static byte[] salt(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    @Test
    void matchesWhatPostgresComputesForTheSameSalt() {
        // pg_authid had md5b98ae055b188ebf54728d629931fcff0 for role svc, password pencil.
        assertThat(Md5Password.response("svc", "pencil", salt("a1b2c3d4")))
                .isEqualTo("md56337baa088b602f2d841206df5999db5");
    }

    @Test
    void hashesPasswordBeforeUserName() {
        assertThat(Md5Password.response("user", "pencil", salt("01020304")))
                .isEqualTo("md54376eb6913b38f9aaff38dc7cf19ca76");
    }

    @Test
    void usesUtf8AndTakesSaltBytesAsTheyAre() {
        // Non-ASCII password and user; a salt with a zero byte and bytes above 0x7f.
        assertThat(Md5Password.response("jürgen", "pässwörd", salt("00ff7f80")))
                .isEqualTo("md5322f27eb02891ae1f27a6a1702b04a74");
    }

    @Test
    void dependsOnTheSalt() {
        assertThat(Md5Password.response("svc", "pencil", salt("a1b2c3d5")))
                .isNotEqualTo("md56337baa088b602f2d841206df5999db5")
                .hasSize(35)
                .startsWith("md5");
    }
}
