package dev.parapet.postgres.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ScramSha256ClientTest {

    // RFC 7677, section 3: user "user", password "pencil".
    private static final String RFC_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String RFC_SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String RFC_CLIENT_FINAL =
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String RFC_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    /**
     * What PostgreSQL 15 stored in pg_authid.rolpassword for password "pencil" (captured with
     * {@code set password_encryption = 'scram-sha-256'; create role ... password 'pencil'}):
     * SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey. A server checks a client's proof against
     * exactly these values.
     */
    private static final String PG_SALT = "rhjSok5jSANJ8CuxRXyfrw==";
    private static final byte[] PG_STORED_KEY = Base64.getDecoder().decode("iGrgk87rAxZvEn2UMvK/WsMVr1Wv8z3ikIYb9c93y5I=");
    private static final byte[] PG_SERVER_KEY = Base64.getDecoder().decode("Ei48Ib6vi6YzuGFNnNv0a5fOkBwhAQDRs+BLth+VXwA=");

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(utf8(data));
    }

    @Test
    void matchesTheRfc7677TestVector() throws Exception {
        ScramSha256Client client = new ScramSha256Client("pencil", RFC_NONCE, "user");
        assertThat(text(client.clientFirst())).isEqualTo("n,,n=user,r=" + RFC_NONCE);
        assertThat(text(client.clientFinal(utf8(RFC_SERVER_FIRST)))).isEqualTo(RFC_CLIENT_FINAL);
        client.verifyServerFinal(utf8(RFC_SERVER_FINAL));
    }

    @Test
    void sendsAnEmptyUserNameAsPostgresExpects() {
        ScramSha256Client client = new ScramSha256Client("pencil", RFC_NONCE);
        assertThat(text(client.clientFirst())).isEqualTo("n,,n=,r=" + RFC_NONCE);
    }

    @Test
    void provesThePasswordToAVerifierStoredByPostgres() throws Exception {
        String clientNonce = "fyko+d2lbbFgONRv9qkxdawL";
        String serverFirst = "r=" + clientNonce + "3rfcNHYJY1ZVvWVs7j,s=" + PG_SALT + ",i=4096";
        ScramSha256Client client = new ScramSha256Client("pencil", clientNonce);
        String clientFirstBare = text(client.clientFirst()).substring("n,,".length());
        String clientFinal = text(client.clientFinal(utf8(serverFirst)));

        // What the server does (RFC 5802 section 3): recover ClientKey from the proof and compare
        // its hash with the StoredKey it has on file.
        assertThat(clientFinal).startsWith("c=biws,r=" + clientNonce + "3rfcNHYJY1ZVvWVs7j,p=");
        String withoutProof = clientFinal.substring(0, clientFinal.indexOf(",p="));
        byte[] proof = Base64.getDecoder().decode(clientFinal.substring(clientFinal.indexOf(",p=") + 3));
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientSignature = hmac(PG_STORED_KEY, authMessage);
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        assertThat(MessageDigest.getInstance("SHA-256").digest(clientKey)).isEqualTo(PG_STORED_KEY);

        // And the server proves itself with ServerKey; the client accepts that signature only.
        String serverFinal = "v=" + Base64.getEncoder().encodeToString(hmac(PG_SERVER_KEY, authMessage));
        client.verifyServerFinal(utf8(serverFinal));
        byte[] forged = hmac(PG_SERVER_KEY, authMessage + "x");
        assertThatThrownBy(() -> client.verifyServerFinal(utf8("v=" + Base64.getEncoder().encodeToString(forged))))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("signature is wrong");
    }

    @Test
    void aWrongPasswordDoesNotSatisfyThePostgresVerifier() throws Exception {
        String clientNonce = "fyko+d2lbbFgONRv9qkxdawL";
        String serverFirst = "r=" + clientNonce + "srv,s=" + PG_SALT + ",i=4096";
        ScramSha256Client client = new ScramSha256Client("pencil2", clientNonce);
        String clientFirstBare = text(client.clientFirst()).substring(3);
        String clientFinal = text(client.clientFinal(utf8(serverFirst)));
        String withoutProof = clientFinal.substring(0, clientFinal.indexOf(",p="));
        byte[] proof = Base64.getDecoder().decode(clientFinal.substring(clientFinal.indexOf(",p=") + 3));
        byte[] clientSignature = hmac(PG_STORED_KEY, clientFirstBare + "," + serverFirst + "," + withoutProof);
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        assertThat(MessageDigest.getInstance("SHA-256").digest(clientKey)).isNotEqualTo(PG_STORED_KEY);
    }

    @Test
    void rejectsTheRfcServerSignatureWhenTheUserNameDiffers() throws Exception {
        // With n= empty the auth message differs from the RFC's, so its server signature must not pass.
        ScramSha256Client client = new ScramSha256Client("pencil", RFC_NONCE);
        client.clientFirst();
        assertThat(text(client.clientFinal(utf8(RFC_SERVER_FIRST)))).isNotEqualTo(RFC_CLIENT_FINAL);
        assertThatThrownBy(() -> client.verifyServerFinal(utf8(RFC_SERVER_FINAL)))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("may not be the real database");
    }

    @Test
    void rejectsAServerNonceThatDoesNotExtendOurs() {
        ScramSha256Client client = new ScramSha256Client("pencil", RFC_NONCE);
        client.clientFirst();
        assertThatThrownBy(() -> client.clientFinal(utf8("r=someoneElsesNonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("does not echo our nonce");
    }

    @Test
    void rejectsAServerFirstMessageWithoutSalt() {
        ScramSha256Client client = new ScramSha256Client("pencil", RFC_NONCE);
        client.clientFirst();
        assertThatThrownBy(() -> client.clientFinal(utf8("r=" + RFC_NONCE + "x,i=4096")))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("malformed");
    }

    @Test
    void rejectsIterationCountsThatAreNotNumbersOrOutOfRange() {
        ScramSha256Client client = new ScramSha256Client("pencil", RFC_NONCE);
        client.clientFirst();
        assertThatThrownBy(() -> client.clientFinal(utf8("r=" + RFC_NONCE + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=lots")))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("not a number");
        assertThatThrownBy(() -> client.clientFinal(utf8("r=" + RFC_NONCE + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0")))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> client.clientFinal(utf8("r=" + RFC_NONCE + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2000000000")))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void rejectsAnUndecodableSalt() {
        ScramSha256Client client = new ScramSha256Client("pencil", RFC_NONCE);
        client.clientFirst();
        assertThatThrownBy(() -> client.clientFinal(utf8("r=" + RFC_NONCE + "x,s=***,i=4096")))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("cannot compute the SCRAM proof");
    }

    @Test
    void reportsTheServersErrorAttribute() throws Exception {
        ScramSha256Client client = new ScramSha256Client("pencil", RFC_NONCE, "user");
        client.clientFirst();
        client.clientFinal(utf8(RFC_SERVER_FIRST));
        assertThatThrownBy(() -> client.verifyServerFinal(utf8("e=invalid-proof")))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("rejected the SCRAM exchange: invalid-proof");
    }

    @Test
    void refusesAServerFinalBeforeAnyProofWasSent() {
        ScramSha256Client client = new ScramSha256Client("pencil", RFC_NONCE, "user");
        client.clientFirst();
        assertThatThrownBy(() -> client.verifyServerFinal(utf8(RFC_SERVER_FINAL)))
                .isInstanceOf(AuthenticationFailure.class);
    }

    @Test
    void generatesAFreshNonceForEachClient() {
        String a = text(new ScramSha256Client("pencil").clientFirst());
        String b = text(new ScramSha256Client("pencil").clientFirst());
        assertThat(a).startsWith("n,,n=,r=").isNotEqualTo(b);
        assertThat(a.length()).isGreaterThanOrEqualTo("n,,n=,r=".length() + 24);
    }
}
