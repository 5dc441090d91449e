package dev.parapet.audit;

import java.nio.file.Path;
import java.time.Clock;

/**
 * What a sink may need from the gateway besides its own settings.
 *
 * @param instance the gateway instance's name
 * @param stateDirectory a directory the gateway keeps state in (the spool's parent), or null
 * @param clock the time source (fixed in tests)
 */
public record AuditContext(String instance, Path stateDirectory, Clock clock) {
}
