package dev.parapet.mysql.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the ed25519 response against the machine's real MariaDB (its own public-key function,
 * a user stored with the plugin, and logins by Connector/J and by a bare socket carrying only this
 * class's signature) and against the JDK's own Ed25519.
 */
class Ed25519PasswordTest {

    private static final String USER = "parapet_ed25519";
    private static final String PASSWORD = "Ed25519 pässwörd ✓ for Parapet";

    private static final List<String> PASSWORDS = List.of(
            "secret",
            "a",
            "",
            "pässwörd ✓ 密码 🔐",
            "exactly thirty-two bytes long!!!",
            "long ".repeat(200));

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Whether this test registered the plugin's ed25519_password() function (and so removes it). */
    private static boolean createdFunction;

    @BeforeAll
    static void loadPluginAndCreateUser() throws SQLException {
        try (Connection c = MariaDb.admin(); Statement s = c.createStatement()) {
            try {
                s.execute("INSTALL SONAME 'auth_ed25519'");
            } catch (SQLException e) {
                if (e.getErrorCode() != 1968) { // ER_PLUGIN_INSTALLED: loaded already
                    throw e;
                }
            }
            // The plugin library also carries a UDF that returns a password's public key; MariaDB
            // 10.11 loads it only when it is declared.
            ResultSet found = s.executeQuery("SELECT 1 FROM mysql.func WHERE name = 'ed25519_password'");
            if (!found.next()) {
                s.execute("CREATE FUNCTION IF NOT EXISTS ed25519_password RETURNS STRING SONAME 'auth_ed25519.so'");
                createdFunction = true;
            }
            s.execute("DROP USER IF EXISTS '" + USER + "'@'%'");
            s.execute("CREATE USER '" + USER + "'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('" + PASSWORD + "')");
        }
    }

    @AfterAll
    static void dropUser() throws SQLException {
        try (Connection c = MariaDb.admin(); Statement s = c.createStatement()) {
            s.execute("DROP USER IF EXISTS '" + USER + "'@'%'");
            if (createdFunction) {
                s.execute("DROP FUNCTION IF EXISTS ed25519_password");
            }
        }
    }

    @Test
    void publicKeyMatchesMariaDbsOwnFunction() throws SQLException {
        try (Connection c = MariaDb.admin(); PreparedStatement ps = c.prepareStatement("SELECT ed25519_password(?)")) {
            for (String password : PASSWORDS) {
                ps.setString(1, password);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(base64(Ed25519Password.publicKey(password.getBytes(UTF_8))))
                            .as("public key of %s", password)
                            .isEqualTo(rs.getString(1));
                }
            }
        }
    }

    @Test
    void publicKeyMatchesWhatTheServerStoredForTheUser() throws SQLException {
        try (Connection c = MariaDb.admin(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT authentication_string FROM mysql.user WHERE user = '" + USER + "'")) {
            rs.next();
            assertThat(base64(Ed25519Password.publicKey(PASSWORD.getBytes(UTF_8)))).isEqualTo(rs.getString(1));
        }
    }

    @Test
    void signatureVerifiesWithTheJdksEd25519() throws Exception {
        for (String password : PASSWORDS) {
            byte[] scramble = randomScramble();
            byte[] signature = Ed25519Password.sign(password.getBytes(UTF_8), scramble);
            PublicKey key = jdkPublicKey(Ed25519Password.publicKey(password.getBytes(UTF_8)));

            assertThat(signature).hasSize(Ed25519Password.SIGNATURE_LENGTH);
            assertThat(verify(key, scramble, signature)).as("signature for %s", password).isTrue();

            byte[] otherScramble = scramble.clone();
            otherScramble[7] ^= 1;
            assertThat(verify(key, otherScramble, signature)).as("signature for %s over another scramble", password).isFalse();
        }
    }

    @Test
    void equalsRfc8032ForAThirtyTwoBytePassword() throws Exception {
        // MariaDB hashes the whole password where RFC 8032 hashes a 32-byte seed: for a password
        // of exactly 32 bytes the two are the same key, and Ed25519 signatures are deterministic.
        byte[] password = "exactly thirty-two bytes long!!!".getBytes(UTF_8);
        assertThat(password).hasSize(32);
        byte[] scramble = randomScramble();

        PrivateKey jdkKey = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, password));
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(jdkKey);
        signer.update(scramble);

        assertThat(Ed25519Password.sign(password, scramble)).isEqualTo(signer.sign());
    }

    @Test
    void signsOnlyAThirtyTwoByteScramble() {
        assertThatThrownBy(() -> Ed25519Password.sign(PASSWORD.getBytes(UTF_8), new byte[20]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20");
    }

    @Test
    void connectorJLogsInAsTheEd25519User() throws SQLException {
        try (Connection c = MariaDb.connect(USER, PASSWORD); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(USER + "@%");
        }
    }

    @Test
    void realMariaDbAcceptsThisSignature() throws Exception {
        WireLogin.Result result = WireLogin.login(USER, "client_ed25519", (plugin, scramble) -> switch (plugin) {
            case "client_ed25519" -> scramble.length == Ed25519Password.SCRAMBLE_LENGTH
                    ? Ed25519Password.sign(PASSWORD.getBytes(UTF_8), scramble)
                    : new byte[0]; // the handshake's 20-byte scramble is not the plugin's
            default -> throw new AssertionError("server asked for " + plugin);
        });

        assertThat(result.message()).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(result.requests()).containsExactly("handshake:20", "switch:client_ed25519:32");
    }

    @Test
    void realMariaDbRefusesASignatureFromAnotherPassword() throws Exception {
        WireLogin.Result result = WireLogin.login(USER, "client_ed25519", (plugin, scramble) ->
                scramble.length == Ed25519Password.SCRAMBLE_LENGTH
                        ? Ed25519Password.sign((PASSWORD + "!").getBytes(UTF_8), scramble)
                        : new byte[0]);

        assertThat(result.ok()).isFalse();
        assertThat(result.errorCode()).isEqualTo(1045); // ER_ACCESS_DENIED_ERROR
    }

    private static byte[] randomScramble() {
        byte[] scramble = new byte[Ed25519Password.SCRAMBLE_LENGTH];
        RANDOM.nextBytes(scramble);
        return scramble;
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The JDK's public key for an encoded A: y little-endian, the top bit the parity of x. */
    private static PublicKey jdkPublicKey(byte[] encoded) throws Exception {
        boolean xOdd = (encoded[31] & 0x80) != 0;
        byte[] bigEndian = new byte[32];
        for (int i = 0; i < 32; i++) {
            bigEndian[i] = encoded[31 - i];
        }
        bigEndian[0] &= 0x7f;
        EdECPoint point = new EdECPoint(xOdd, new BigInteger(1, bigEndian));
        return KeyFactory.getInstance("Ed25519").generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
    }

    private static boolean verify(PublicKey key, byte[] message, byte[] signature) throws Exception {
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }
}
