package dev.parapet.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How the gateway reaches a target's database and which service credentials it uses there.
 * The password is a {@link Secret}: written as {@code ${ENV_NAME}} or {@code ${file:/path}} in
 * the YAML, it never appears in logs or errors. {@code by-group} gives members of a group other
 * credentials or a role to switch to; the first entry whose group the caller is in applies.
 */
public record UpstreamConfig(
        String host, Integer port, String database, String user, Secret password,
        UpstreamTlsConfig tls, Duration connectTimeout, java.util.List<GroupUpstreamConfig> byGroup) {

    public UpstreamConfig {
        host = host == null || host.isBlank() ? "127.0.0.1" : host;
        password = Objects.requireNonNullElse(password, Secret.NONE);
        tls = Objects.requireNonNullElseGet(tls, UpstreamTlsConfig::disabled);
        connectTimeout = Objects.requireNonNullElse(connectTimeout, Duration.ofSeconds(10));
        byGroup = byGroup == null ? java.util.List.of() : java.util.List.copyOf(byGroup);
    }
}
