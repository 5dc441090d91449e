package dev.parapet.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One audit sink: its {@code type} (the name a sink provider answers to: stdout, file, jdbc,
 * webhook, kafka, or a plug-in's), a {@code name} for metrics and logs (default: the type, with a
 * number when several share it), and the rest of its settings as written. Each sink reads and
 * checks its own settings when the gateway starts; values written as {@code ${NAME}} or
 * {@code ${file:PATH}} are resolved at load and kept as {@link Secret}s, and relative paths of
 * settings named {@code path}, {@code directory} or ending in {@code -file} resolve against the
 * configuration file's folder.
 */
public record AuditSinkConfig(String type, String name, Map<String, Object> settings) {

    public AuditSinkConfig {
        Objects.requireNonNull(type, "type");
        name = name == null || name.isBlank() ? type : name;
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** A setting as text, secrets revealed; empty when absent. */
    public Optional<String> string(String key) {
        Object value = settings.get(key);
        if (value == null) {
            return Optional.empty();
        }
        return Optional.of(value instanceof Secret secret ? secret.reveal() : value.toString());
    }

    /** A setting that must be there. */
    public String required(String key) {
        return string(key).orElseThrow(() -> new IllegalArgumentException(
                "audit sink " + name + ": setting '" + key + "' is required"));
    }

    public Optional<Secret> secret(String key) {
        Object value = settings.get(key);
        return value == null ? Optional.empty()
                : Optional.of(value instanceof Secret secret ? secret : new Secret(value.toString()));
    }

    public Optional<Path> path(String key) {
        Object value = settings.get(key);
        return value == null ? Optional.empty() : Optional.of(value instanceof Path p ? p : Path.of(value.toString()));
    }

    public int integer(String key, int otherwise) {
        Object value = settings.get(key);
        if (value == null) {
            return otherwise;
        }
        if (value instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("audit sink " + name + ": setting '" + key + "' is not a whole number");
        }
    }

    public boolean bool(String key, boolean otherwise) {
        Object value = settings.get(key);
        return value == null ? otherwise : Boolean.parseBoolean(value.toString().trim());
    }

    public Duration duration(String key, Duration otherwise) {
        Object value = settings.get(key);
        return value == null ? otherwise : Durations.parse(value.toString());
    }

    public ByteSize size(String key, ByteSize otherwise) {
        Object value = settings.get(key);
        return value == null ? otherwise : ByteSize.parse(value.toString());
    }

    /** A setting holding a map of text (HTTP headers, producer properties), secrets revealed. */
    public Map<String, String> map(String key) {
        Object value = settings.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> raw)) {
            throw new IllegalArgumentException("audit sink " + name + ": setting '" + key + "' must be a map");
        }
        Map<String, String> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(String.valueOf(k), v instanceof Secret s ? s.reveal() : String.valueOf(v)));
        return out;
    }

    /** A setting holding a list of text. */
    public List<String> list(String key) {
        Object value = settings.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> raw) {
            return raw.stream().map(v -> v instanceof Secret s ? s.reveal() : String.valueOf(v)).toList();
        }
        return List.of(value.toString());
    }

    @Override
    public String toString() {
        return "AuditSinkConfig[type=" + type + ", name=" + name + ", settings=" + settings.keySet() + "]";
    }
}
