package dev.parapet.config;

/** One problem found in a configuration file, located by file and line (0 when unknown). */
public record ConfigError(String file, int line, int column, String message) {

    /** A file that is not valid YAML, where the parser says. */
    public static ConfigError notYaml(String file, com.fasterxml.jackson.core.JsonProcessingException e) {
        return new ConfigError(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                e.getLocation() == null ? 0 : e.getLocation().getColumnNr(), "not valid YAML: " + e.getOriginalMessage());
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ":" + column + ": " + message : file + ": " + message;
    }
}
