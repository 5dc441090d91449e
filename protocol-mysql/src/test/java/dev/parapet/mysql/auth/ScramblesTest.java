package dev.parapet.mysql.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScramblesTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SCRAMBLE = new byte[20];

    static {
        for (int i = 0; i < 20; i++) {
            SCRAMBLE[i] = (byte) (i + 1);
        }
    }

    /** Holds a mysql_native_password hash (the default for IDENTIFIED BY on MariaDB 10.11). */
    private static final String NATIVE_USER = "parapet_native";
    private static final String NATIVE_PASSWORD = "nätive ✓ secret";

    @BeforeAll
    static void createUser() throws Exception {
        MariaDb.execute("DROP USER IF EXISTS '" + NATIVE_USER + "'@'%'");
        MariaDb.execute("CREATE USER '" + NATIVE_USER + "'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('"
                + NATIVE_PASSWORD + "')");
    }

    @AfterAll
    static void dropUser() throws Exception {
        MariaDb.execute("DROP USER IF EXISTS '" + NATIVE_USER + "'@'%'");
    }

    // Expected values computed outside Java with Python's hashlib, scramble = bytes 1..20.

    @Test
    void nativePasswordMatchesIndependentlyComputedValues() {
        assertThat(HEX.formatHex(Scrambles.nativePassword("secret".getBytes(UTF_8), SCRAMBLE)))
                .isEqualTo("b32bb3a583e1340c0a1108d58b1be49781ad8c2f");
        assertThat(HEX.formatHex(Scrambles.nativePassword("pässwörd".getBytes(UTF_8), SCRAMBLE)))
                .isEqualTo("9891a8536587af22d12e126cf5f7a8ea86d63b0e");
    }

    @Test
    void cachingSha2MatchesIndependentlyComputedValues() {
        assertThat(HEX.formatHex(Scrambles.cachingSha2("secret".getBytes(UTF_8), SCRAMBLE)))
                .isEqualTo("746ebe205d56a0707acb3e796e834e0dd7b1d61743b26bd5202c7a623230c7c9");
        assertThat(HEX.formatHex(Scrambles.cachingSha2("pässwörd".getBytes(UTF_8), SCRAMBLE)))
                .isEqualTo("8526563d365f5cb2cf44b162e5251a5cc348e1a1afeec271669611d0fdac23f7");
    }

    @Test
    void cachingSha2PassesTheServersCheckAgainstItsStoredDigest() throws Exception {
        // The server keeps SHA256(SHA256(password)); unmasking the response with it must give a
        // value whose SHA-256 is that digest again.
        byte[] password = "caching secret".getBytes(UTF_8);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] stored = sha256.digest(sha256.digest(password));
        byte[] response = Scrambles.cachingSha2(password, SCRAMBLE);
        sha256.update(stored);
        sha256.update(SCRAMBLE);
        byte[] mask = sha256.digest();
        for (int i = 0; i < response.length; i++) {
            response[i] ^= mask[i];
        }
        assertThat(sha256.digest(response)).isEqualTo(stored);
    }

    @Test
    void emptyPasswordSendsNothing() {
        assertThat(Scrambles.nativePassword(new byte[0], SCRAMBLE)).isEmpty();
        assertThat(Scrambles.cachingSha2(new byte[0], SCRAMBLE)).isEmpty();
    }

    @Test
    void rejectsAScrambleThatStillHasItsNul() {
        byte[] withNul = Arrays.copyOf(SCRAMBLE, 21);
        assertThatThrownBy(() -> Scrambles.nativePassword("x".getBytes(UTF_8), withNul))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("21");
        assertThatThrownBy(() -> Scrambles.cachingSha2("x".getBytes(UTF_8), withNul))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void realMariaDbAcceptsTheNativeResponse() throws Exception {
        WireLogin.Result result = WireLogin.login(NATIVE_USER, "mysql_native_password",
                (plugin, scramble) -> Scrambles.nativePassword(NATIVE_PASSWORD.getBytes(UTF_8), Arrays.copyOf(scramble, 20)));

        assertThat(result.message()).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(result.requests()).containsExactly("handshake:20");
    }

    @Test
    void realMariaDbRefusesTheNativeResponseForAnotherPassword() throws Exception {
        WireLogin.Result result = WireLogin.login(NATIVE_USER, "mysql_native_password",
                (plugin, scramble) -> Scrambles.nativePassword("wrong".getBytes(UTF_8), Arrays.copyOf(scramble, 20)));

        assertThat(result.ok()).isFalse();
        assertThat(result.errorCode()).isEqualTo(1045); // ER_ACCESS_DENIED_ERROR
    }
}
