package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Token logins against a real OIDC issuer running in this process (discovery and key set served
 * over HTTP), with psql and pgJDBC through the gateway to the real PostgreSQL: good tokens get in
 * as their identity, every kind of bad token is refused with 28P01 and a reason, before any
 * upstream connection; keys rotate and the issuer can go away without breaking logins.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OidcLoginIT {

    static final String ISSUER_ID = "corp";
    static RSAKey key;
    static MockOAuth2Server issuer;
    static KeyProvider keys;
    static String issuerUrl;
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        // The issuer names its key after the issuer id; sign test-made tokens the same way.
        key = new RSAKeyGenerator(2048).keyID(ISSUER_ID).generate();
        issuer = issuerWith(key);
        issuer.start();
        issuerUrl = issuer.issuerUrl(ISSUER_ID).toString();
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement()) {
            st.execute("do $$ begin if not exists (select from pg_roles where rolname = 'parapet_it_reader') then "
                    + "create role parapet_it_reader nologin; end if; end $$");
            st.execute("grant select on customers to parapet_it_reader");
        }
        gateway = GatewayFixture.start("""
                listeners:
                  postgres: {host: 127.0.0.1, port: 0}
                  admin: {host: 127.0.0.1, port: 0}
                client-auth: {allow-cleartext-on-loopback: true}
                identity:
                  issuers:
                    - name: corp
                      issuer: %1$s
                      audiences: [parapet]
                      jwks-refresh-interval: 1s
                      service: {client-ids: [etl-agent]}
                  on-token-expiry: end
                access:
                  - id: it-staff-only
                    description: the IT target is for analysts, DBAs and the ETL agent
                    targets: [it]
                    groups: [analysts, dba]
                    kinds: [service]
                targets:
                  - name: it
                    upstream:
                      host: %2$s
                      port: %3$d
                      database: %4$s
                      user: %5$s
                      by-group:
                        - {group: analysts, role: parapet_it_reader}
                limits: {startup-timeout: 10s}
                """.formatted(issuerUrl, GatewayFixture.PG_HOST, GatewayFixture.PG_PORT, GatewayFixture.DATABASE,
                GatewayFixture.PG_SUPERUSER));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop();
        issuer.shutdown();  // a second shutdown is harmless
        GatewayFixture.assertNoLeaks();
    }

    static MockOAuth2Server issuerWith(RSAKey signingKey) {
        keys = new KeyProvider(List.of(signingKey), "RS256");
        OAuth2TokenProvider tokens = new OAuth2TokenProvider(keys, (Instant) null);
        return new MockOAuth2Server(new OAuth2Config(false, null, null, false, tokens, Set.of(), new MockWebServerWrapper()));
    }

    /** A token minted by the issuer for one of the test's people. */
    static String token(String user, List<String> groups) {
        return issuer.issueToken(ISSUER_ID, "parapet-it", new DefaultOAuth2TokenCallback(ISSUER_ID, user, "JWT",
                List.of("parapet"), Map.of("preferred_username", user, "groups", groups,
                        "email", user + "@corp.example"), 3600)).serialize();
    }

    /** A token signed here with {@code signer}'s key, for shapes the issuer would never mint. */
    static String sign(RSAKey signer, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(signer));
        return jwt.serialize();
    }

    static JWTClaimsSet.Builder claims(String user) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuerUrl).subject(user).audience("parapet")
                .claim("preferred_username", user).claim("groups", List.of("analysts"))
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)));
    }

    static long upstreamConnects() {
        return gateway.server().registry().find("parapet.upstream.connect").timers().stream().mapToLong(Timer::count).sum();
    }

    @Test
    @Order(1)
    void psqlLogsInWithATokenAndTheDatabaseSeesWhoItIs() throws Exception {
        String out = gateway.psql("it", "bob", token("bob", List.of("dba")), "-At",
                "-c", "show application_name", "-c", "select current_user").assertSuccess().output();
        assertThat(out).contains("parapet:bob@corp.example:psql").contains(GatewayFixture.PG_SUPERUSER);
    }

    @Test
    @Order(2)
    void pgJdbcLogsInAndAnAnalystRunsAsTheGroupsRole() throws Exception {
        try (Connection c = gateway.connect("it", "alice", token("alice", List.of("analysts")), Map.of());
             ResultSet rs = c.createStatement().executeQuery("select current_user, count(*) from customers group by 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("parapet_it_reader");
            assertThat(rs.getInt(2)).isEqualTo(DemoData.CUSTOMERS);
            try (Statement st = c.createStatement()) {
                assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(SQLException.class,
                        () -> st.executeUpdate("update customers set city = 'x' where id = 1")).getSQLState())
                        .as("the reader role cannot write").isEqualTo("42501");
            }
        }
    }

    @Test
    @Order(3)
    void everyBadTokenIsRefusedWithAReasonAndNoUpstreamConnection() throws Exception {
        RSAKey rogue = new RSAKeyGenerator(2048).keyID("rogue").generate();
        Instant now = Instant.now();
        String good = token("alice", List.of("analysts"));
        String[] parts = good.split("\\.");
        String tamperedPayload = Base64URL.encode(new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)
                .replace("\"analysts\"", "\"dba\"")).toString();
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
                claims("alice").build());
        hmac.sign(new MACSigner(key.toPublicJWK().toRSAPublicKey().getEncoded()));
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put("expired", new String[] {sign(key, claims("alice").expirationTime(Date.from(now.minusSeconds(600))).build()),
                "expired at"});
        cases.put("not yet valid", new String[] {sign(key, claims("alice").notBeforeTime(Date.from(now.plusSeconds(600))).build()),
                "not valid before"});
        cases.put("issued in the future", new String[] {sign(key, claims("alice").issueTime(Date.from(now.plusSeconds(600))).build()),
                "issued in the future"});
        cases.put("wrong issuer", new String[] {sign(key, claims("alice").issuer("https://evil.example").build()),
                "issuer https://evil.example is not trusted"});
        cases.put("second issuer", new String[] {issuer.issueToken("other", "parapet-it", new DefaultOAuth2TokenCallback(
                "other", "alice", "JWT", List.of("parapet"), Map.of(), 3600)).serialize(), "is not trusted"});
        cases.put("wrong audience", new String[] {sign(key, claims("alice").audience("someone-else").build()),
                "audience [someone-else] is not one this gateway accepts"});
        cases.put("tampered", new String[] {parts[0] + "." + tamperedPayload + "." + parts[2], "signature does not verify"});
        cases.put("unknown kid", new String[] {sign(rogue, claims("alice").build()), "kid \"rogue\""});
        cases.put("alg none", new String[] {new PlainJWT(claims("alice").build()).serialize(), "alg \"none\""});
        cases.put("hmac with the public key", new String[] {hmac.serialize(), "HMAC-signed tokens (HS256) are refused"});
        cases.put("garbage", new String[] {"this is not a token", "not a valid token"});
        cases.put("oversized", new String[] {"ey" + "A".repeat(40_000) + ".e.e", "too long for a token"});
        long connectsBefore = upstreamConnects();
        for (var entry : cases.entrySet()) {
            Map<Character, String> error = refusal("alice", entry.getValue()[0]);
            assertThat(error.get('C')).as(entry.getKey()).isEqualTo("28P01");
            assertThat(error.get('S')).as(entry.getKey()).isEqualTo("FATAL");
            assertThat(error.get('M')).as(entry.getKey()).contains(entry.getValue()[1])
                    .doesNotContain(entry.getValue()[0].length() > 40 ? entry.getValue()[0].substring(0, 40) : "\u0000");
        }
        assertThat(refusal("alice", "").get('M')).contains("empty password");
        assertThat(upstreamConnects()).as("no upstream connection for a refused token").isEqualTo(connectsBefore);
        double refused = gateway.server().registry().find("parapet.logins.refused").counters().stream()
                .mapToDouble(c -> c.count()).sum();
        assertThat(refused).isGreaterThanOrEqualTo(cases.size() + 1);
    }

    @Test
    @Order(4)
    void theStartupUserMustBeTheTokensUser() throws Exception {
        Map<Character, String> error = refusal("bob", token("alice", List.of("analysts")));
        assertThat(error.get('C')).isEqualTo("28P01");
        assertThat(error.get('M')).contains("does not match the token's user \"alice\"");
    }

    @Test
    @Order(5)
    void anAccessRuleRefusesOutsidersBeforeTheUpstream() throws Exception {
        long before = upstreamConnects();
        Map<Character, String> error = refusal("mallory", token("mallory", List.of("marketing")));
        assertThat(error.get('C')).isEqualTo("28000");
        assertThat(error.get('M')).contains("access rule \"it-staff-only\"").contains("mallory");
        assertThat(upstreamConnects()).isEqualTo(before);
        String agent = issuer.issueToken(ISSUER_ID, "etl-agent", new DefaultOAuth2TokenCallback(ISSUER_ID, "etl-agent",
                "JWT", List.of("parapet"), Map.of("azp", "etl-agent"), 3600)).serialize();
        gateway.psql("it", "etl-agent", agent, "-At", "-c", "select 1").assertSuccess();
    }

    @Test
    @Order(6)
    void aSessionEndsWhenItsTokenExpires() throws Exception {
        String shortLived = sign(key, claims("alice").expirationTime(Date.from(Instant.now().plusSeconds(3))).build());
        try (Connection c = gateway.connect("it", "alice", shortLived, Map.of()); Statement st = c.createStatement()) {
            st.execute("select 1");
            Thread.sleep(4_500);
            SQLException error = org.assertj.core.api.Assertions.catchThrowableOfType(SQLException.class,
                    () -> st.execute("select 1"));
            assertThat((Object) error).isNotNull();
            assertThat(error.getMessage() + " " + (error.getCause() == null ? "" : error.getCause().getMessage()))
                    .containsAnyOf("token expired", "connection has been closed", "I/O error");
        }
    }

    @Test
    @Order(7)
    void keyRotationAtTheIssuerIsPickedUpWithoutARestart() throws Exception {
        gateway.psql("it", "alice", token("alice", List.of("analysts")), "-c", "select 1").assertSuccess();
        // The issuer starts signing with a new key under a new key id, as IdPs rotate...
        RSAKey second = new RSAKeyGenerator(2048).keyID("corp-2").generate();
        rotateIssuerKey(second);
        String withNewKid = token("alice", List.of("analysts"));
        assertThat(SignedJWT.parse(withNewKid).getHeader().getKeyID()).isEqualTo("corp-2");
        gateway.psql("it", "alice", withNewKid, "-c", "select 1").assertSuccess();
        // ...and some replace the key behind an unchanged key id.
        Thread.sleep(1_500);  // past the key set's refresh interval
        rotateIssuerKey(new RSAKeyGenerator(2048).keyID("corp-2").generate());
        gateway.psql("it", "alice", token("alice", List.of("analysts")), "-c", "select 1").assertSuccess();
        Map<Character, String> stale = refusal("alice", sign(second, claims("alice").build()));
        assertThat(stale.get('M')).as("a token signed with the retired key").contains("signature does not verify");
    }

    @Test
    @Order(8)
    void cachedKeysKeepLoginsWorkingWhileTheIssuerIsDown() throws Exception {
        String minted = token("alice", List.of("analysts"));
        gateway.psql("it", "alice", minted, "-c", "select 1").assertSuccess();
        issuer.shutdown();
        gateway.psql("it", "alice", minted, "-At", "-c", "select 'still in'").assertSuccess();
        Map<Character, String> rogue = refusal("alice", sign(new RSAKeyGenerator(2048).keyID("rogue-2").generate(),
                claims("alice").build()));
        assertThat(rogue.get('C')).isEqualTo("28P01");
    }

    /**
     * Swaps the key the in-process issuer signs and publishes for our issuer id. The library has
     * no rotation call, so this reaches into its key map; what the gateway sees is exactly a
     * rotation: the key set at the same URL now holds another key.
     */
    @SuppressWarnings("unchecked")
    static void rotateIssuerKey(RSAKey next) throws Exception {
        java.lang.reflect.Field field = KeyProvider.class.getDeclaredField("signingKeys");
        field.setAccessible(true);
        ((Map<String, com.nimbusds.jose.jwk.JWK>) field.get(keys)).put(ISSUER_ID, next);
    }

    /** Logs in over a raw socket and returns the error's fields (fails if the login succeeds). */
    static Map<Character, String> refusal(String user, String password) throws Exception {
        try (RawPgConnection c = RawPgConnection.open(gateway.port())) {
            c.sendStartup(Map.of("user", user, "database", "it"));
            assertThat(c.expect('R').int32(0)).as("cleartext password request").isEqualTo(3);
            c.sendPassword(password);
            return c.expectError().fields();
        }
    }
}
