package dev.parapet.config;

import java.util.Optional;

/**
 * Settings of result masking that do not belong in policy files. {@code hashKey} is the secret
 * key of the keyed-hash strategy (at least 16 bytes; usually {@code ${file:...}} or
 * {@code ${ENV}}): the same key gives the same pseudonyms across gateway restarts and replicas,
 * so masked values stay joinable and comparable. Without one, each gateway process makes up its
 * own key, and pseudonyms change when it restarts.
 */
public record MaskingConfig(Secret hashKey) {

    public Optional<Secret> key() {
        return Optional.ofNullable(hashKey);
    }

    static MaskingConfig defaults() {
        return new MaskingConfig(null);
    }
}
