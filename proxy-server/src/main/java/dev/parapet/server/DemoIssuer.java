package dev.parapet.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.javalin.Javalin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The demo's built-in OIDC issuer: a signing key kept in the demo's state directory, a discovery
 * document and key set served over HTTP on loopback, and tokens for the demo's identities. It
 * exists so the demo shows real token logins without an identity provider; it is not one.
 */
final class DemoIssuer implements AutoCloseable {

    static final int PORT = 9091;
    static final String AUDIENCE = "parapet";

    /** The demo's identities: who they are and which groups they are in. */
    record Person(String name, String displayName, String email, List<String> groups, boolean service) {
    }

    static final Map<String, Person> PEOPLE = Map.of(
            "alice", new Person("alice", "Alice Analyst", "alice@example.com", List.of("analysts"), false),
            "bob", new Person("bob", "Bob DBA", "bob@example.com", List.of("dba"), false),
            "carol", new Person("carol", "Carol Privacy", "carol@example.com", List.of("pii-readers", "change-approvers"), false),
            "etl-agent", new Person("etl-agent", "ETL agent", null, List.of("agents"), true));

    private final ECKey key;
    private final String issuer;
    private Javalin server;

    private DemoIssuer(ECKey key, String issuer) {
        this.key = key;
        this.issuer = issuer;
    }

    static String issuerUrl(int port) {
        return "http://127.0.0.1:" + port + "/demo";
    }

    /** Loads the signing key from the state directory, creating it the first time. */
    static DemoIssuer load(Path stateDir, int port) throws IOException {
        Path file = stateDir.resolve("demo-issuer-key.json");
        ECKey key;
        try {
            if (Files.exists(file)) {
                key = ECKey.parse(Files.readString(file));
            } else {
                key = new ECKeyGenerator(Curve.P_256).keyID("demo-" + UUID.randomUUID().toString().substring(0, 8))
                        .algorithm(JWSAlgorithm.ES256).generate();
                Files.writeString(file, key.toJSONString());
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
            }
        } catch (ParseException | JOSEException e) {
            throw new IOException("cannot load or create the demo issuer's key in " + file + ": " + e.getMessage(), e);
        }
        return new DemoIssuer(key, issuerUrl(port));
    }

    String issuer() {
        return issuer;
    }

    /** Serves discovery and the public key set on 127.0.0.1. */
    void start(int port) {
        String jwks = new JWKSet(key.toPublicJWK()).toString();
        String discovery = """
                {"issuer":"%s","jwks_uri":"%s/jwks","id_token_signing_alg_values_supported":["ES256"]}"""
                .formatted(issuer, issuer);
        server = Javalin.create(config -> config.showJavalinBanner = false);
        server.get("/demo/.well-known/openid-configuration", ctx -> ctx.contentType("application/json").result(discovery));
        server.get("/demo/jwks", ctx -> ctx.contentType("application/json").result(jwks));
        server.start("127.0.0.1", port);
    }

    /** A fresh token for one of the demo's identities, valid for {@code lifetime}. */
    String token(String name, Duration lifetime) {
        Person person = PEOPLE.get(name);
        if (person == null) {
            throw new IllegalArgumentException("unknown demo identity '" + name + "' (try: " + String.join(", ", PEOPLE.keySet()) + ")");
        }
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(person.name())
                .audience(AUDIENCE)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString())
                .claim("preferred_username", person.name())
                .claim("name", person.displayName())
                .claim("groups", person.groups())
                .claim("azp", person.service() ? person.name() : "parapet-demo");
        if (person.email() != null) {
            claims.claim("email", person.email());
        }
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims.build());
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a demo token", e);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }
}
