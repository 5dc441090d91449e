package dev.parapet.config;

/**
 * A database the gateway fronts. Clients name it as the database in their connection string;
 * the gateway then connects to {@code upstream} with the service credentials configured there.
 * {@code audit} says what happens when an audit event cannot be recorded; unset, it is
 * fail-closed for the environments {@code prod} and {@code production} and best-effort elsewhere.
 */
public record TargetConfig(String name, Protocol protocol, String environment, UpstreamConfig upstream,
        AuditConfig.Guarantee audit) {

    public TargetConfig {
        protocol = protocol == null ? Protocol.POSTGRES : protocol;
        environment = environment == null || environment.isBlank() ? "default" : environment;
        if (audit == null) {
            String env = environment.toLowerCase(java.util.Locale.ROOT);
            audit = env.equals("prod") || env.equals("production")
                    ? AuditConfig.Guarantee.FAIL_CLOSED : AuditConfig.Guarantee.BEST_EFFORT;
        }
    }

    public TargetConfig(String name, Protocol protocol, String environment, UpstreamConfig upstream) {
        this(name, protocol, environment, upstream, null);
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
