package dev.parapet.core.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.parapet.config.IdentityConfig;
import dev.parapet.config.IssuerConfig;
import dev.parapet.core.AuthenticationException;
import dev.parapet.core.Credentials;
import dev.parapet.core.Identity;
import dev.parapet.core.IdentityResolver;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Logins with OIDC tokens: the password a client sends is a JWT from one of the configured
 * issuers. Every refusal says what was wrong with the token (expired, wrong audience, unknown
 * key...) without repeating it; HMAC-signed and unsigned tokens are refused whatever the issuer.
 */
public final class OidcIdentityResolver implements IdentityResolver {

    /** Real tokens are a few kilobytes; anything far larger is not one. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final Map<String, IssuerVerifier> byIssuer = new LinkedHashMap<>();
    private final IdentityConfig.UserMatch userMatch;

    public OidcIdentityResolver(IdentityConfig config) {
        for (IssuerConfig issuer : config.issuers()) {
            byIssuer.put(issuer.issuer(), new IssuerVerifier(issuer));
        }
        this.userMatch = config.userMatch();
    }

    /** True when the secret has the shape of a JWT (three base64url parts). */
    public static boolean looksLikeToken(String secret) {
        return secret.startsWith("ey") && secret.chars().filter(c -> c == '.').count() == 2;
    }

    @Override
    public Identity resolve(Credentials credentials) throws AuthenticationException {
        String secret = credentials.secret().trim();
        if (secret.length() > MAX_TOKEN_LENGTH) {
            throw new AuthenticationException("token_too_large", "the password is " + secret.length()
                    + " characters long, too long for a token (limit " + MAX_TOKEN_LENGTH + ")");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(secret);
        } catch (ParseException e) {
            throw new AuthenticationException("not_a_token", "the password is not a valid token: send an OIDC access or ID token (a signed JWT)");
        }
        if (jwt instanceof PlainJWT) {
            throw new AuthenticationException("unsigned", "unsigned tokens (alg \"none\") are refused");
        }
        if (jwt instanceof EncryptedJWT) {
            throw new AuthenticationException("encrypted", "encrypted tokens are not supported: send a signed JWT");
        }
        SignedJWT signed = (SignedJWT) jwt;
        JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
        if (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)) {
            throw new AuthenticationException("hmac", "HMAC-signed tokens (" + algorithm + ") are refused: "
                    + "the gateway accepts only tokens signed with the issuer's private key");
        }
        String issuer;
        try {
            issuer = signed.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw new AuthenticationException("not_a_token", "the token's claims cannot be read");
        }
        IssuerVerifier verifier = issuer == null ? null : byIssuer.get(issuer);
        if (verifier == null) {
            throw new AuthenticationException("untrusted_issuer", issuer == null
                    ? "the token names no issuer" : "the token's issuer " + issuer + " is not trusted by this gateway");
        }
        if (!verifier.allows(algorithm)) {
            throw new AuthenticationException("algorithm", "algorithm " + algorithm + " is not allowed for issuer "
                    + verifier.config().name());
        }
        Identity identity = verifier.verify(signed);
        checkUser(credentials.user(), verifier, identity);
        return identity;
    }

    private void checkUser(String user, IssuerVerifier verifier, Identity identity) throws AuthenticationException {
        if (userMatch == IdentityConfig.UserMatch.IGNORE) {
            return;
        }
        String expected = verifier.mapper().username(identity.claims()).orElse(identity.subject());
        if (user == null || !(user.equalsIgnoreCase(expected) || user.equals(identity.subject())
                || localPart(expected).equalsIgnoreCase(user))) {
            throw new AuthenticationException("user_mismatch", "the user name \"" + user
                    + "\" does not match the token's user \"" + expected + "\": connect as that user");
        }
    }

    private static String localPart(String name) {
        int at = name.indexOf('@');
        return (at > 0 ? name.substring(0, at) : name).toLowerCase(Locale.ROOT);
    }
}
