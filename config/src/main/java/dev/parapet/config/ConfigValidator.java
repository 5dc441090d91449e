package dev.parapet.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/** The checks that span fields: names unique, required values present, files that exist. */
final class ConfigValidator {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}");

    private final BiConsumer<String, String> error;

    /** {@code error} receives a JSON pointer path and a message. */
    ConfigValidator(BiConsumer<String, String> error) {
        this.error = error;
    }

    void validate(ParapetConfig config) {
        listener("/listeners/postgres", config.listeners().postgres());
        listener("/listeners/mysql", config.listeners().mysql());
        listener("/listeners/admin", config.listeners().admin());
        if (config.listeners().postgres().defaultTarget() != null || config.listeners().admin().defaultTarget() != null) {
            error.accept("/listeners", "default-target is a setting of the mysql listener only");
        }
        String defaultTarget = config.listeners().mysql().defaultTarget();
        if (defaultTarget != null && config.targets().stream().noneMatch(t -> defaultTarget.equals(t.name())
                && t.protocol() == TargetConfig.Protocol.MYSQL)) {
            error.accept("/listeners/mysql/default-target", "default target '" + defaultTarget
                    + "' is not a configured MySQL target");
        }
        tls(config.tls());
        if (config.policies() != null && !java.nio.file.Files.exists(config.policies())) {
            error.accept("/policies", "policy path " + config.policies() + " does not exist");
        }
        config.masking().key().ifPresent(key -> {
            if (key.reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 16) {
                error.accept("/masking/hash-key", "the masking hash key must be at least 16 bytes long");
            }
        });
        if (config.targets().isEmpty()) {
            error.accept("/targets", "no targets are configured: add at least one under 'targets'");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < config.targets().size(); i++) {
            target("/targets/" + i, config.targets().get(i), names, config.listeners().mysql().enabled());
        }
        for (int i = 0; i < config.identity().issuers().size(); i++) {
            issuer("/identity/issuers/" + i, config.identity().issuers().get(i));
        }
        Set<String> ruleIds = new HashSet<>();
        for (int i = 0; i < config.access().size(); i++) {
            access("/access/" + i, config.access().get(i), ruleIds, names);
        }
        Set<String> users = new HashSet<>();
        for (int i = 0; i < config.devUsers().users().size(); i++) {
            var user = config.devUsers().users().get(i);
            String at = "/dev-users/users/" + i;
            if (user.name() == null || user.name().isBlank()) {
                error.accept(at, "a development user needs a name");
            } else if (!users.add(user.name())) {
                error.accept(at + "/name", "development user '" + user.name() + "' is defined twice");
            }
            if (user.password() == null || user.password().isEmpty()) {
                error.accept(at, "development user '" + user.name() + "' needs a password");
            }
        }
        if (config.limits().maxMessageSize().bytes() < 1024) {
            error.accept("/limits/max-message-size", "max-message-size must be at least 1KiB");
        }
        if (config.limits().startupTimeout().isZero() || config.limits().startupTimeout().isNegative()) {
            error.accept("/limits/startup-timeout", "startup-timeout must be positive");
        }
    }

    private static final Set<String> ASYMMETRIC = Set.copyOf(IssuerConfig.DEFAULT_ALGORITHMS);

    private void issuer(String at, IssuerConfig issuer) {
        if (issuer.issuer() == null || !issuer.issuer().matches("https?://.+")) {
            error.accept(at + "/issuer", "an issuer needs its URL as 'issuer' (the tokens' iss claim)");
        } else if (issuer.issuer().startsWith("http://") && !issuer.issuer().matches("http://(localhost|127\\.0\\.0\\.1|\\[::1])([:/].*)?")) {
            error.accept(at + "/issuer", "issuer " + issuer.issuer() + " must use https (plain http only for localhost)");
        }
        if (issuer.audiences().isEmpty()) {
            error.accept(at, "issuer " + issuer.name() + " needs 'audiences': the token audiences meant for this gateway"
                    + " (without them any token of the issuer would do)");
        }
        for (String alg : issuer.algorithms()) {
            if (!ASYMMETRIC.contains(alg)) {
                error.accept(at + "/algorithms", "algorithm " + alg + " is not allowed: use asymmetric ones ("
                        + String.join(", ", IssuerConfig.DEFAULT_ALGORITHMS) + ")");
            }
        }
        if (issuer.clockSkew().isNegative() || issuer.clockSkew().toMinutes() > 10) {
            error.accept(at + "/clock-skew", "clock-skew must be between 0 and 10 minutes");
        }
    }

    private void access(String at, AccessRuleConfig rule, Set<String> ids, Set<String> targetNames) {
        if (rule.id() == null || rule.id().isBlank()) {
            error.accept(at, "an access rule needs an 'id' (it names the rule in refusals)");
        } else if (!ids.add(rule.id())) {
            error.accept(at + "/id", "access rule '" + rule.id() + "' is defined twice");
        }
        for (String target : rule.targets()) {
            if (!targetNames.contains(target)) {
                error.accept(at + "/targets", "access rule '" + rule.id() + "' names target '" + target + "', which is not configured");
            }
        }
        for (String kind : rule.kinds()) {
            if (!kind.equals("human") && !kind.equals("service")) {
                error.accept(at + "/kinds", "unknown identity kind '" + kind + "' (expected human or service)");
            }
        }
        if (rule.groups().isEmpty() && rule.subjects().isEmpty() && rule.kinds().isEmpty()) {
            error.accept(at, "access rule '" + rule.id() + "' lets nobody in: list groups, subjects or kinds");
        }
    }

    private void listener(String at, ListenerConfig listener) {
        if (listener.port() == null || listener.port() < 0 || listener.port() > 65535) {
            error.accept(at + "/port", "port must be between 0 and 65535");
        }
    }

    private void tls(TlsConfig tls) {
        if (tls.selfSigned() && tls.cert() != null) {
            error.accept("/tls", "give either cert and key or self-signed: true, not both");
        }
        if ((tls.cert() == null) != (tls.key() == null)) {
            error.accept("/tls", "cert and key go together: give both or neither");
        }
        file("/tls/cert", tls.cert(), "certificate");
        file("/tls/key", tls.key(), "private key");
    }

    private void target(String at, TargetConfig target, Set<String> names, boolean mysqlListener) {
        if (target.name() == null || !NAME.matcher(target.name()).matches()) {
            error.accept(at + "/name", "a target needs a name of letters, digits, '_', '.' or '-' (got "
                    + (target.name() == null ? "none" : "'" + target.name() + "'") + ")");
        } else if (!names.add(target.name())) {
            error.accept(at + "/name", "target '" + target.name() + "' is defined twice");
        }
        if (target.protocol() == TargetConfig.Protocol.MYSQL && !mysqlListener) {
            error.accept(at + "/protocol", "target '" + target.name() + "' speaks MySQL and the MySQL listener is off:"
                    + " enable it under listeners.mysql");
        }
        UpstreamConfig up = target.upstream();
        if (up == null) {
            error.accept(at, "target '" + target.name() + "' needs an 'upstream' section");
            return;
        }
        if (up.port() == null || up.port() < 1 || up.port() > 65535) {
            error.accept(at + "/upstream/port", "upstream port must be between 1 and 65535");
        }
        if (up.database() == null || up.database().isBlank()) {
            error.accept(at + "/upstream", "upstream needs a 'database'");
        }
        if (up.user() == null || up.user().isBlank()) {
            error.accept(at + "/upstream", "upstream needs a 'user' (the gateway's service account)");
        }
        file(at + "/upstream/tls/ca", up.tls().ca(), "CA certificate");
        for (int i = 0; i < up.byGroup().size(); i++) {
            GroupUpstreamConfig g = up.byGroup().get(i);
            String where = at + "/upstream/by-group/" + i;
            if (g.group() == null || g.group().isBlank()) {
                error.accept(where, "a by-group entry needs a 'group'");
            }
            if (g.role() != null && !g.role().matches("[A-Za-z_][A-Za-z0-9_$]{0,62}")) {
                error.accept(where + "/role", "role '" + g.role() + "' is not a plain identifier");
            }
        }
        if (up.tls().mode() == UpstreamTlsConfig.Mode.DISABLE && up.tls().ca() != null) {
            error.accept(at + "/upstream/tls", "a CA is given but TLS mode is disable");
        }
    }

    private void file(String at, Path path, String what) {
        if (path != null && !Files.isReadable(path)) {
            error.accept(at, what + " file " + path + " does not exist or cannot be read");
        }
    }
}
