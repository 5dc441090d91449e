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
        tls(config.tls());
        if (config.targets().isEmpty()) {
            error.accept("/targets", "no targets are configured: add at least one under 'targets'");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < config.targets().size(); i++) {
            target("/targets/" + i, config.targets().get(i), names);
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

    private void target(String at, TargetConfig target, Set<String> names) {
        if (target.name() == null || !NAME.matcher(target.name()).matches()) {
            error.accept(at + "/name", "a target needs a name of letters, digits, '_', '.' or '-' (got "
                    + (target.name() == null ? "none" : "'" + target.name() + "'") + ")");
        } else if (!names.add(target.name())) {
            error.accept(at + "/name", "target '" + target.name() + "' is defined twice");
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
