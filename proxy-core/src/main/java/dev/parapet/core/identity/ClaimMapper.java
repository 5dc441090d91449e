package dev.parapet.core.identity;

import dev.parapet.config.IssuerConfig;
import dev.parapet.core.Identity;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a verified token's claims into an {@link Identity}, following the issuer's claim
 * configuration: which claims name the subject, the display name, the email, the groups and the
 * user name, and how a workload (service) token is recognised.
 */
final class ClaimMapper {

    private final IssuerConfig issuer;

    ClaimMapper(IssuerConfig issuer) {
        this.issuer = issuer;
    }

    Identity map(Map<String, Object> claims) {
        IssuerConfig.ClaimsConfig names = issuer.claims();
        String subject = firstString(claims, names.subject()).orElseThrow(() ->
                new IllegalArgumentException("the token names no subject"));
        String email = firstString(claims, names.email()).filter(e -> e.contains("@")).orElse(null);
        String name = firstString(claims, names.name()).orElse(null);
        Set<String> groups = groups(claims, names.groups());
        Identity.Kind kind = isService(claims, subject, email) ? Identity.Kind.SERVICE : Identity.Kind.HUMAN;
        return new Identity(subject, name, email, groups, kind, issuer.issuer(), claims);
    }

    /** The user name the client should have sent in its startup packet. */
    Optional<String> username(Map<String, Object> claims) {
        return firstString(claims, issuer.claims().username());
    }

    private boolean isService(Map<String, Object> claims, String subject, String email) {
        String clientId = firstString(claims, List.of("azp", "client_id", "appid", "cid")).orElse(null);
        if (clientId != null && issuer.service().clientIds().contains(clientId)) {
            return true;
        }
        if (!issuer.service().detect()) {
            return false;
        }
        String username = firstString(claims, List.of("preferred_username")).orElse("");
        return "app".equals(claims.get("idtyp"))                              // Microsoft Entra ID app token
                || "client-credentials".equals(claims.get("gty"))              // Auth0 machine-to-machine
                || username.startsWith("service-account-")                     // Keycloak service account
                || (subject.equals(claims.get("cid")) && email == null)        // Okta client credentials
                || (email != null && email.endsWith(".gserviceaccount.com"));  // Google service account
    }

    private static Set<String> groups(Map<String, Object> claims, List<String> candidates) {
        Set<String> groups = new LinkedHashSet<>();
        for (String path : candidates) {
            Object value = lookup(claims, path);
            if (value instanceof Collection<?> list) {
                list.forEach(v -> groups.add(String.valueOf(v)));
            } else if (value instanceof String single && !single.isBlank()) {
                for (String part : single.split("[,\\s]+")) {
                    if (!part.isBlank()) {
                        groups.add(part);
                    }
                }
            }
        }
        // Some IdPs prefix groups with a path ("/analysts"); accept both spellings.
        Set<String> normalised = new LinkedHashSet<>();
        for (String group : groups) {
            normalised.add(group.startsWith("/") ? group.substring(group.lastIndexOf('/') + 1) : group);
        }
        return normalised;
    }

    static Optional<String> firstString(Map<String, Object> claims, List<String> candidates) {
        for (String path : candidates) {
            Object value = lookup(claims, path);
            if (value instanceof String s && !s.isBlank()) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** A claim by name; a dotted name looks into nested objects unless a claim has that exact name. */
    static Object lookup(Map<String, Object> claims, String path) {
        if (claims.containsKey(path) || !path.contains(".")) {
            return claims.get(path);
        }
        Object current = claims;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }
}
