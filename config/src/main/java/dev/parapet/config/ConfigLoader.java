package dev.parapet.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a YAML configuration file into a validated {@link ParapetConfig}. Every problem it can
 * find (bad YAML, unknown keys, values of the wrong type, missing secrets, inconsistent settings)
 * is reported with the file and line it comes from, all at once rather than one per attempt.
 *
 * <p>Secrets are written as {@code ${NAME}} (an environment variable) or {@code ${file:PATH}} (a
 * file's content, trailing newline removed); relative paths resolve against the file's folder.
 */
public final class ConfigLoader {

    private static final Pattern SECRET_REF = Pattern.compile("\\$\\{(file:)?([^}]+)}");
    private static final String STATE = "parapet.load";

    private final Function<String, String> environment;

    public ConfigLoader() {
        this(System::getenv);
    }

    public ConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    public ParapetConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(file.toString(), 0, 0, "cannot read the file: " + e.getMessage())));
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), base);
    }

    /** Parses YAML text; {@code fileName} names it in errors, {@code baseDir} anchors relative paths. */
    public ParapetConfig parse(String yaml, String fileName, Path baseDir) throws ConfigException {
        LoadState state = new LoadState(fileName, baseDir);
        try {
            state.locations = YamlLocations.of(fileName, yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(state.error(e.getLocation(), "not valid YAML: " + e.getOriginalMessage())));
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(fileName, 0, 0, e.getMessage())));
        }
        ParapetConfig config = null;
        try {
            config = mapper(state).readerFor(ParapetConfig.class).withAttribute(STATE, state).readValue(yaml);
            if (config == null) {
                config = new ParapetConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
            }
        } catch (JsonProcessingException e) {
            state.errors.add(state.error(e.getLocation(), describe(e)));
        }
        if (config != null) {
            new ConfigValidator(state::errorAt).validate(config);
        }
        if (!state.errors.isEmpty()) {
            state.errors.sort((a, b) -> Integer.compare(a.line(), b.line()));
            throw new ConfigException(state.errors);
        }
        return config;
    }

    private static String describe(JsonProcessingException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
            return cause.getMessage();
        }
        String message = e.getOriginalMessage();
        int cut = message.indexOf(" at [Source");
        return cut > 0 ? message.substring(0, cut) : message;
    }

    private ObjectMapper mapper(LoadState state) {
        SimpleModule module = new SimpleModule("parapet-config");
        module.addDeserializer(Secret.class, new SecretDeserializer());
        module.addDeserializer(Duration.class, new DurationDeserializer());
        module.addDeserializer(Path.class, new PathDeserializer());
        module.addDeserializer(AuditSinkConfig.class, new AuditSinkDeserializer());
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE);
        mapper.registerModule(module);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                    JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
                // Records are bound from a token buffer that has lost its position: find the key by name.
                JsonLocation where = p.currentTokenLocation();
                if (where == null || where.getLineNr() <= 0) {
                    where = state.firstKeyNamed(propertyName);
                }
                state.errors.add(state.error(where, "unknown setting '" + propertyName + "'"));
                p.skipChildren();
                return true;
            }
        });
        return mapper;
    }

    /** What one load collects: the text's locations and the errors found so far. */
    private final class LoadState {
        final String fileName;
        final Path baseDir;
        YamlLocations locations;
        final List<ConfigError> errors = new ArrayList<>();

        LoadState(String fileName, Path baseDir) {
            this.fileName = fileName;
            this.baseDir = baseDir;
        }

        ConfigError error(JsonLocation where, String message) {
            return where == null
                    ? new ConfigError(fileName, 0, 0, message)
                    : new ConfigError(fileName, where.getLineNr(), where.getColumnNr(), message);
        }

        /** Records an error at a JSON pointer path such as {@code /targets/0/upstream/port}. */
        void errorAt(String pointer, String message) {
            errors.add(locations.errorAt(pointer, message));
        }

        JsonLocation firstKeyNamed(String key) {
            return locations.firstKeyNamed(key);
        }

        String resolveSecret(String raw, JsonLocation where) {
            Matcher m = SECRET_REF.matcher(raw);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String replacement;
                if (m.group(1) != null) {
                    Path file = baseDir == null ? Path.of(m.group(2)) : baseDir.resolve(m.group(2));
                    try {
                        replacement = Files.readString(file).stripTrailing();
                    } catch (IOException e) {
                        errors.add(error(where, "cannot read secret file " + file + ": " + e.getClass().getSimpleName()));
                        replacement = "";
                    }
                } else {
                    replacement = environment.apply(m.group(2));
                    if (replacement == null) {
                        errors.add(error(where, "environment variable " + m.group(2) + " is not set"));
                        replacement = "";
                    }
                }
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(out);
            return out.toString();
        }
    }

    private static LoadState state(DeserializationContext ctxt) {
        return (LoadState) ctxt.getAttribute(STATE);
    }

    private static final class SecretDeserializer extends JsonDeserializer<Secret> {
        @Override
        public Secret deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return new Secret(state(ctxt).resolveSecret(p.getValueAsString(""), p.currentTokenLocation()));
        }
    }

    private static final class PathDeserializer extends JsonDeserializer<Path> {
        @Override
        public Path deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Path path = Path.of(p.getValueAsString());
            Path base = state(ctxt).baseDir;
            return base == null || path.isAbsolute() ? path : base.resolve(path).normalize();
        }
    }

    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return Durations.parse(p.getValueAsString(""));
        }
    }

    /**
     * An audit sink: {@code type} and {@code name}, and every other key kept as written for the
     * sink to read, with secrets resolved and file paths anchored.
     */
    private static final class AuditSinkDeserializer extends JsonDeserializer<AuditSinkConfig> {
        @Override
        public AuditSinkConfig deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonLocation where = p.currentTokenLocation();
            LoadState state = state(ctxt);
            Object tree = p.readValueAs(Object.class);
            if (!(tree instanceof java.util.Map<?, ?> raw)) {
                throw new IllegalArgumentException("an audit sink is a map with at least a 'type'");
            }
            java.util.Map<String, Object> settings = new java.util.LinkedHashMap<>();
            raw.forEach((k, v) -> settings.put(String.valueOf(k), resolve(String.valueOf(k), v, state, where)));
            Object type = settings.remove("type");
            Object name = settings.remove("name");
            if (type == null || type.toString().isBlank()) {
                throw new IllegalArgumentException("an audit sink needs a 'type' (stdout, file, jdbc, webhook, kafka)");
            }
            return new AuditSinkConfig(type.toString(), name == null ? null : name.toString(), settings);
        }

        private static Object resolve(String key, Object value, LoadState state, JsonLocation where) {
            if (value instanceof String text) {
                if (text.contains("${")) {
                    return new Secret(state.resolveSecret(text, where));
                }
                if (key.equals("path") || key.equals("directory") || key.endsWith("-file")) {
                    Path path = Path.of(text);
                    return state.baseDir == null || path.isAbsolute() ? path : state.baseDir.resolve(path).normalize();
                }
                return text;
            }
            if (value instanceof java.util.Map<?, ?> map) {
                java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
                map.forEach((k, v) -> out.put(String.valueOf(k), resolve(String.valueOf(k), v, state, where)));
                return out;
            }
            if (value instanceof java.util.List<?> list) {
                return list.stream().map(v -> resolve("", v, state, where)).toList();
            }
            return value;
        }
    }
}
