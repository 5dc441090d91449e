package dev.parapet.config;

/** Log format ({@code text} for people, {@code json} for collectors) and the root level. */
public record LoggingConfig(Format format, String level) {

    public LoggingConfig {
        format = format == null ? Format.TEXT : format;
        level = level == null || level.isBlank() ? "INFO" : level.toUpperCase(java.util.Locale.ROOT);
    }

    static LoggingConfig defaults() {
        return new LoggingConfig(Format.TEXT, "INFO");
    }

    /** The two log formats. */
    public enum Format {
        TEXT, JSON;

        @com.fasterxml.jackson.annotation.JsonCreator
        static Format parse(String text) {
            return SettingValues.parse(Format.class, text);
        }
    }
}
