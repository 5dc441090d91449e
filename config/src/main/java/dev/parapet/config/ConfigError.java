package dev.parapet.config;

/** One problem found in a configuration file, located by file and line (0 when unknown). */
public record ConfigError(String file, int line, int column, String message) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ":" + column + ": " + message : file + ": " + message;
    }
}
