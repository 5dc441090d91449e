package dev.parapet.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each part of a YAML document starts, by JSON pointer ({@code /targets/0/upstream/port}),
 * so that errors found after binding (validation) can still name a file and line. Shared by every
 * YAML file the gateway reads.
 */
public final class YamlLocations {

    private final String fileName;
    private final Map<String, JsonLocation> locations;

    private YamlLocations(String fileName, Map<String, JsonLocation> locations) {
        this.fileName = fileName;
        this.locations = locations;
    }

    /** Reads the document's structure; throws on invalid YAML (the exception carries the location). */
    public static YamlLocations of(String fileName, String yaml) throws IOException {
        Map<String, JsonLocation> lines = new HashMap<>();
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken token;
            while ((token = p.nextToken()) != null) {
                var context = token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY
                        ? p.getParsingContext().getParent() : p.getParsingContext();
                if (context != null) {
                    lines.putIfAbsent(context.pathAsPointer().toString(), p.currentTokenLocation());
                }
            }
        }
        return new YamlLocations(fileName, lines);
    }

    /** An error at a location (none: the file as a whole). */
    public ConfigError error(JsonLocation where, String message) {
        return where == null || where.getLineNr() <= 0
                ? new ConfigError(fileName, 0, 0, message)
                : new ConfigError(fileName, where.getLineNr(), where.getColumnNr(), message);
    }

    /** An error at a JSON pointer path, or at the nearest enclosing part that exists. */
    public ConfigError errorAt(String pointer, String message) {
        String path = pointer;
        JsonLocation where = locations.get(path);
        while (where == null && path.lastIndexOf('/') > 0) {
            path = path.substring(0, path.lastIndexOf('/'));
            where = locations.get(path);
        }
        return error(where, message);
    }

    /** Where the first key with this name appears (for errors the binder reports without a position). */
    public JsonLocation firstKeyNamed(String key) {
        return locations.entrySet().stream()
                .filter(e -> e.getKey().endsWith("/" + key))
                .map(Map.Entry::getValue)
                .min((a, b) -> Long.compare(a.getCharOffset(), b.getCharOffset()))
                .orElse(null);
    }
}
