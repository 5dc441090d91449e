package dev.parapet.mysql.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RsaPasswordTest {

    /** A 1024-bit public key written by {@code openssl pkey -pubout}, as a server's key file reads. */
    private static final String OPENSSL_PEM = """
            -----BEGIN PUBLIC KEY-----
            MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC252CNZ4k2pKhIqUN+2Okn3cDD
            JWCL3glb4RM4DbPO13ST+o29nkpGziCZezQmE+H29pLDelSSVBVNJxOfK/bVY0LY
            BIAP3f2Rq1xt8pSh3weA/1Y5Jb0MiQtJ6+VXC+iIusDigD7wiT60CeiGr7dDkDwy
            yxuFR3B9UR5ATHHPTQIDAQAB
            -----END PUBLIC KEY-----
            """;

    private static final byte[] SCRAMBLE = "0123456789abcdefghij".getBytes(UTF_8);
    private static final byte[] OTHER_SCRAMBLE = "ABCDEFGHIJKLMNOPQRST".getBytes(UTF_8);

    private static KeyPair keys;

    @BeforeAll
    static void generateKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
    }

    @Test
    void roundTripsThroughTheServersPem() {
        PublicKey published = RsaPassword.parsePublicKey(RsaPassword.pem(keys.getPublic()));
        for (String password : new String[] {"secret", "pässwörd ✓ 密码", "a password longer than the twenty-byte scramble"}) {
            byte[] encrypted = RsaPassword.encrypt(password.getBytes(UTF_8), SCRAMBLE, published);

            assertThat(encrypted).hasSize(256);
            assertThat(RsaPassword.decrypt(encrypted, SCRAMBLE, keys.getPrivate()))
                    .hasValueSatisfying(decrypted -> assertThat(new String(decrypted, UTF_8)).isEqualTo(password));
        }
    }

    @Test
    void anEmptyPasswordIsJustItsNul() {
        byte[] encrypted = RsaPassword.encrypt(new byte[0], SCRAMBLE, keys.getPublic());

        assertThat(RsaPassword.decrypt(encrypted, SCRAMBLE, keys.getPrivate())).hasValueSatisfying(p -> assertThat(p).isEmpty());
    }

    @Test
    void encryptsThePasswordAndNulXoredWithTheRepeatedScramble() throws Exception {
        byte[] password = "a password longer than the twenty-byte scramble".getBytes(UTF_8);
        byte[] encrypted = RsaPassword.encrypt(password, SCRAMBLE, keys.getPublic());

        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        oaep.init(Cipher.DECRYPT_MODE, keys.getPrivate());
        byte[] masked = oaep.doFinal(encrypted);

        assertThat(masked).hasSize(password.length + 1);
        for (int i = 0; i < masked.length; i++) {
            byte plain = i < password.length ? password[i] : 0;
            assertThat(masked[i]).as("byte %d", i).isEqualTo((byte) (plain ^ SCRAMBLE[i % 20]));
        }
    }

    @Test
    void aWrongScrambleDoesNotYieldThePassword() {
        byte[] password = "secret".getBytes(UTF_8);
        byte[] encrypted = RsaPassword.encrypt(password, SCRAMBLE, keys.getPublic());

        assertThat(RsaPassword.decrypt(encrypted, OTHER_SCRAMBLE, keys.getPrivate())).isEmpty();

        // Even a scramble that differs from the right one only before the NUL's position gives
        // other bytes, never the password.
        byte[] nearly = SCRAMBLE.clone();
        nearly[0] ^= 1;
        assertThat(RsaPassword.decrypt(encrypted, nearly, keys.getPrivate()))
                .hasValueSatisfying(decrypted -> assertThat(decrypted).isNotEqualTo(password));
    }

    @Test
    void somethingNotEncryptedForThisKeyDecryptsToNothing() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] forAnotherKey = RsaPassword.encrypt("secret".getBytes(UTF_8), SCRAMBLE, generator.generateKeyPair().getPublic());

        assertThat(RsaPassword.decrypt(forAnotherKey, SCRAMBLE, keys.getPrivate())).isEmpty();
        assertThat(RsaPassword.decrypt(new byte[256], SCRAMBLE, keys.getPrivate())).isEmpty();
        assertThat(RsaPassword.decrypt(new byte[3], SCRAMBLE, keys.getPrivate())).isEmpty();
    }

    @Test
    void refusesAPasswordTooLongForTheKey() {
        byte[] tooLong = new byte[256];
        Arrays.fill(tooLong, (byte) 'x');

        assertThatThrownBy(() -> RsaPassword.encrypt(tooLong, SCRAMBLE, keys.getPublic()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsAnOpenSslPemAndWritesTheSameText() {
        PublicKey key = RsaPassword.parsePublicKey(OPENSSL_PEM + "\0");

        assertThat(((RSAPublicKey) key).getModulus().bitLength()).isEqualTo(1024);
        assertThat(((RSAPublicKey) key).getModulus().toString(16)).startsWith("b6e7608d678936a4a848a9437ed8e927");
        assertThat(((RSAPublicKey) key).getPublicExponent()).isEqualTo(BigInteger.valueOf(65537));
        assertThat(RsaPassword.pem(key)).isEqualTo(OPENSSL_PEM);
    }

    @Test
    void writesPemInSixtyFourCharacterLines() {
        String pem = RsaPassword.pem(keys.getPublic());

        assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("\n-----END PUBLIC KEY-----\n");
        assertThat(pem.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(64));
    }

    @Test
    void refusesTextThatIsNotAnRsaPublicKey() {
        assertThatThrownBy(() -> RsaPassword.parsePublicKey("ssh-rsa AAAAB3Nza"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BEGIN PUBLIC KEY");
        assertThatThrownBy(() -> RsaPassword.parsePublicKey("-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no RSA public key");
    }
}
