package dev.parapet.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.parapet.config.LoggingConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the configured log format and level to Logback once the configuration is loaded. */
final class Logging {

    private Logging() {
    }

    static void configure(LoggingConfig config) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        if (config.format() == LoggingConfig.Format.JSON) {
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            try {
                configurator.doConfigure(Logging.class.getResource("/logback-json.xml"));
            } catch (JoranException e) {
                throw new IllegalStateException("cannot switch logging to JSON", e);
            }
        }
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(config.level(), Level.INFO));
    }
}
