package dev.parapet.core;

import dev.parapet.config.TargetConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The configured targets by name: what a client's database name resolves to. */
public final class TargetRegistry {

    private final Map<String, TargetConfig> byName;

    public TargetRegistry(List<TargetConfig> targets) {
        this.byName = targets.stream().collect(Collectors.toUnmodifiableMap(TargetConfig::name, Function.identity()));
    }

    /** The target with this name that speaks this protocol, if any. */
    public Optional<TargetConfig> find(String name, TargetConfig.Protocol protocol) {
        TargetConfig target = byName.get(name);
        return target != null && target.protocol() == protocol ? Optional.of(target) : Optional.empty();
    }
}
