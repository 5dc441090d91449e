package dev.parapet.audit;

import dev.parapet.config.AuditSinkConfig;

/**
 * Makes sinks of one type. Providers are found with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/dev.parapet.audit.AuditSinkProvider} entry), so a jar on the class path
 * can add a sink type without a change to the gateway.
 */
public interface AuditSinkProvider {

    /** The {@code type} this provider answers to in the configuration. */
    String type();

    /**
     * A sink for {@code config}, its settings checked.
     *
     * @throws IllegalArgumentException naming the setting, when a setting is missing or wrong
     */
    AuditSink create(AuditSinkConfig config, AuditContext context) throws Exception;
}
