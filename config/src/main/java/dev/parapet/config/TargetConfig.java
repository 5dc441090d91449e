package dev.parapet.config;

/**
 * A database the gateway fronts. Clients name it as the database in their connection string;
 * the gateway then connects to {@code upstream} with the service credentials configured there.
 */
public record TargetConfig(String name, Protocol protocol, String environment, UpstreamConfig upstream) {

    public TargetConfig {
        protocol = protocol == null ? Protocol.POSTGRES : protocol;
        environment = environment == null || environment.isBlank() ? "default" : environment;
    }

    /** The wire protocol a target speaks. */
    public enum Protocol {
        POSTGRES, MYSQL;

        @com.fasterxml.jackson.annotation.JsonCreator
        static Protocol parse(String text) {
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "postgres", "postgresql", "pg" -> POSTGRES;
                case "mysql", "mariadb" -> MYSQL;
                default -> throw new IllegalArgumentException(
                        "unknown protocol '" + text + "' (expected postgres or mysql)");
            };
        }
    }
}
