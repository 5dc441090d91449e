package dev.parapet.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One trusted OIDC issuer. Its keys come from {@code jwks-uri}, or from the issuer's discovery
 * document when none is given. Tokens must carry one of {@code audiences}, be signed with one of
 * {@code algorithms} (RSA, RSA-PSS or ECDSA; HMAC and {@code none} are always refused) and be within
 * their validity window give or take {@code clock-skew}.
 */
public record IssuerConfig(
        String name,
        String issuer,
        URI jwksUri,
        List<String> audiences,
        List<String> algorithms,
        Duration clockSkew,
        Map<String, String> requiredClaims,
        ClaimsConfig claims,
        ServiceIdentityConfig service,
        Duration jwksCacheTtl,
        Duration jwksRefreshInterval) {

    /**
     * The asymmetric algorithms a token may use. EdDSA is not among them: Nimbus verifies it only
     * with Google Tink on the class path, which the gateway does not ship.
     */
    public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512");

    public IssuerConfig {
        audiences = audiences == null ? List.of() : List.copyOf(audiences);
        algorithms = algorithms == null || algorithms.isEmpty() ? DEFAULT_ALGORITHMS : List.copyOf(algorithms);
        clockSkew = Objects.requireNonNullElse(clockSkew, Duration.ofSeconds(60));
        requiredClaims = requiredClaims == null ? Map.of() : Map.copyOf(requiredClaims);
        claims = Objects.requireNonNullElseGet(claims, ClaimsConfig::defaults);
        service = Objects.requireNonNullElseGet(service, ServiceIdentityConfig::defaults);
        jwksCacheTtl = Objects.requireNonNullElse(jwksCacheTtl, Duration.ofMinutes(15));
        jwksRefreshInterval = Objects.requireNonNullElse(jwksRefreshInterval, Duration.ofSeconds(30));
        name = name == null || name.isBlank() ? issuer : name;
    }

    /**
     * Which claims hold what. Each entry lists candidate claims in order of preference; a dotted
     * name looks inside a nested object ({@code realm_access.roles}). The defaults cover Keycloak,
     * Okta, Auth0, Microsoft Entra ID and Google.
     */
    public record ClaimsConfig(List<String> subject, List<String> name, List<String> email, List<String> groups,
            List<String> username) {

        public ClaimsConfig {
            subject = orDefault(subject, List.of("sub"));
            name = orDefault(name, List.of("name", "preferred_username", "given_name"));
            email = orDefault(email, List.of("email", "upn"));
            groups = orDefault(groups, List.of("groups", "roles", "realm_access.roles", "cognito:groups"));
            username = orDefault(username, List.of("preferred_username", "email", "upn", "unique_name", "sub"));
        }

        static ClaimsConfig defaults() {
            return new ClaimsConfig(null, null, null, null, null);
        }

        private static List<String> orDefault(List<String> given, List<String> fallback) {
            return given == null || given.isEmpty() ? fallback : List.copyOf(given);
        }
    }

    /**
     * How a workload's token is told from a person's. {@code client-ids} lists OAuth client ids
     * ({@code azp}, {@code client_id}, {@code appid}) that are always services. With
     * {@code detect: true} (the default) the IdPs' own markers count too: Entra ID's
     * {@code idtyp: app}, Auth0's {@code gty: client-credentials}, Keycloak's
     * {@code service-account-} user names, Okta's tokens whose subject is the client id, and
     * Google service-account emails.
     */
    public record ServiceIdentityConfig(List<String> clientIds, Boolean detect) {

        public ServiceIdentityConfig {
            clientIds = clientIds == null ? List.of() : List.copyOf(clientIds);
            detect = detect == null || detect;
        }

        static ServiceIdentityConfig defaults() {
            return new ServiceIdentityConfig(List.of(), true);
        }
    }
}
