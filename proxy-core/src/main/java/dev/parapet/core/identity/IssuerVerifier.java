package dev.parapet.core.identity;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.parapet.config.IssuerConfig;
import dev.parapet.core.AuthenticationException;
import dev.parapet.core.Identity;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies tokens of one issuer: signature against the issuer's key set (fetched through
 * discovery or the configured URL, cached, refreshed when a token names an unknown key but at
 * most once per refresh interval, and served from the cache while the issuer is unreachable),
 * then issuer, audience and validity window. Blocking: call it off the event loop.
 */
final class IssuerVerifier {

    private static final Duration OUTAGE_TOLERANCE = Duration.ofHours(12);
    private static final int FETCH_TIMEOUT_MS = 5_000;
    private static final int MAX_JWKS_BYTES = 512 * 1024;

    private final IssuerConfig config;
    private final ClaimMapper mapper;
    private final Set<JWSAlgorithm> algorithms;
    private volatile DefaultJWTProcessor<SecurityContext> processor;
    private long lastForcedRefresh;

    IssuerVerifier(IssuerConfig config) {
        this.config = config;
        this.mapper = new ClaimMapper(config);
        this.algorithms = config.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toUnmodifiableSet());
    }

    IssuerConfig config() {
        return config;
    }

    ClaimMapper mapper() {
        return mapper;
    }

    boolean allows(JWSAlgorithm algorithm) {
        return algorithms.contains(algorithm);
    }

    /**
     * Verifies the token and maps its claims; refusals carry a message fit for the client. A
     * signature that fails against a cached key may mean the issuer replaced a key under the same
     * key id: the key set is then fetched again (at most once per refresh interval) and the token
     * checked once more.
     */
    Identity verify(SignedJWT token) throws AuthenticationException {
        try {
            return verify(token, processor());
        } catch (AuthenticationException e) {
            if (!"signature".equals(e.reason())) {
                throw e;
            }
            DefaultJWTProcessor<SecurityContext> refreshed = refreshedProcessor();
            if (refreshed == null) {
                throw e;
            }
            return verify(token, refreshed);
        }
    }

    private Identity verify(SignedJWT token, DefaultJWTProcessor<SecurityContext> processor) throws AuthenticationException {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (BadJWTException e) {
            throw claimsRefusal(token, e);
        } catch (BadJWSException e) {
            throw new AuthenticationException("signature", "the token's signature does not verify against the keys of issuer "
                    + config.name());
        } catch (KeySourceException e) {
            throw new AuthenticationException("issuer_unreachable", "the keys of issuer " + config.name()
                    + " cannot be fetched right now; try again shortly");
        } catch (BadJOSEException e) {
            String kid = token.getHeader().getKeyID();
            throw new AuthenticationException("unknown_key", "the token is signed with a key"
                    + (kid == null ? " without a key id" : " (kid \"" + kid + "\")") + " that issuer " + config.name()
                    + " does not publish");
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new AuthenticationException("signature", "the token's signature cannot be checked: " + e.getMessage());
        }
        Date issuedAt = claims.getIssueTime();
        if (issuedAt != null && issuedAt.toInstant().isAfter(Instant.now().plus(config.clockSkew()))) {
            throw new AuthenticationException("not_yet_valid", "the token claims to be issued in the future (iat "
                    + issuedAt.toInstant() + ")");
        }
        try {
            return mapper.map(claims.getClaims());
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("claims", e.getMessage());
        }
    }

    private AuthenticationException claimsRefusal(SignedJWT token, BadJWTException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        JWTClaimsSet unverified;
        try {
            unverified = token.getJWTClaimsSet();
        } catch (java.text.ParseException parse) {
            return new AuthenticationException("claims", "the token's claims cannot be read");
        }
        if (message.startsWith("Expired JWT")) {
            return new AuthenticationException("expired", "the token expired at " + instant(unverified.getExpirationTime())
                    + "; get a fresh one");
        }
        if (message.startsWith("JWT before use time")) {
            return new AuthenticationException("not_yet_valid", "the token is not valid before "
                    + instant(unverified.getNotBeforeTime()));
        }
        if (message.contains("audience") || message.contains("aud claim")) {
            return new AuthenticationException("audience", "the token's audience " + unverified.getAudience()
                    + " is not one this gateway accepts for issuer " + config.name());
        }
        if (message.contains("missing required claims")) {
            return new AuthenticationException("claims", "the token lacks required claims: "
                    + message.substring(message.indexOf(':') + 1).trim());
        }
        return new AuthenticationException("claims", "the token's claims are not acceptable: " + message);
    }

    private static String instant(Date date) {
        return date == null ? "(unknown)" : date.toInstant().toString();
    }

    private DefaultJWTProcessor<SecurityContext> processor() throws AuthenticationException {
        DefaultJWTProcessor<SecurityContext> current = processor;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (processor == null) {
                processor = buildProcessor(jwksUrl());
            }
            return processor;
        }
    }

    /**
     * A processor over a freshly fetched key set, replacing the current one; null when the last
     * refresh was too recent or the fetch fails (the cached keys then stay in use).
     */
    private synchronized DefaultJWTProcessor<SecurityContext> refreshedProcessor() {
        long now = System.nanoTime();
        if (lastForcedRefresh != 0 && now - lastForcedRefresh < config.jwksRefreshInterval().toNanos()) {
            return null;
        }
        lastForcedRefresh = now;
        try {
            JWKSource<SecurityContext> keys = keySource(jwksUrl());
            keys.get(new JWKSelector(new JWKMatcher.Builder().build()), null);
            processor = processor(keys);
            return processor;
        } catch (AuthenticationException | KeySourceException e) {
            return null;
        }
    }

    private DefaultJWTProcessor<SecurityContext> buildProcessor(URL jwks) {
        return processor(keySource(jwks));
    }

    private JWKSource<SecurityContext> keySource(URL jwks) {
        return JWKSourceBuilder
                .create(jwks, new DefaultResourceRetriever(FETCH_TIMEOUT_MS, FETCH_TIMEOUT_MS, MAX_JWKS_BYTES))
                .cache(config.jwksCacheTtl().toMillis(), FETCH_TIMEOUT_MS)
                .rateLimited(config.jwksRefreshInterval().toMillis())
                .outageTolerant(OUTAGE_TOLERANCE.toMillis())
                .retrying(true)
                .build();
    }

    private DefaultJWTProcessor<SecurityContext> processor(JWKSource<SecurityContext> keys) {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"),
                new JOSEObjectType("application/at+jwt"), null));
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder().issuer(config.issuer());
        config.requiredClaims().forEach(exact::claim);
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new HashSet<>(config.audiences()), exact.build(), Set.of("sub", "exp"), Set.of());
        claims.setMaxClockSkew((int) config.clockSkew().toSeconds());
        p.setJWTClaimsSetVerifier(claims);
        return p;
    }

    /** The configured key-set URL, or the one the issuer's discovery document names. */
    private URL jwksUrl() throws AuthenticationException {
        try {
            if (config.jwksUri() != null) {
                return config.jwksUri().toURL();
            }
            String base = config.issuer().endsWith("/") ? config.issuer() : config.issuer() + "/";
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(FETCH_TIMEOUT_MS)).build()
                    .send(HttpRequest.newBuilder(URI.create(base + ".well-known/openid-configuration"))
                            .timeout(Duration.ofMillis(FETCH_TIMEOUT_MS)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("discovery answered HTTP " + response.statusCode());
            }
            Map<String, Object> document = com.nimbusds.jose.util.JSONObjectUtils.parse(response.body());
            Object issuer = document.get("issuer");
            if (issuer != null && !config.issuer().equals(issuer)) {
                throw new IOException("discovery names issuer " + issuer + ", not " + config.issuer());
            }
            Object uri = document.get("jwks_uri");
            if (!(uri instanceof String s)) {
                throw new IOException("discovery document has no jwks_uri");
            }
            return URI.create(s).toURL();
        } catch (IOException | java.text.ParseException | IllegalArgumentException e) {
            throw new AuthenticationException("issuer_unreachable", "the discovery document of issuer " + config.name()
                    + " cannot be read right now; try again shortly");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuthenticationException("issuer_unreachable", "interrupted while reading issuer " + config.name());
        }
    }
}
