/**
 * The audit trail, knowing nothing of wire protocols. Public surface: {@link dev.parapet.audit.AuditEvent}
 * and {@link dev.parapet.audit.AuditFields} (the event and its attribute names),
 * {@link dev.parapet.audit.AuditSink} and {@link dev.parapet.audit.AuditSinkProvider} (the sink SPI,
 * found through {@link java.util.ServiceLoader}), {@link dev.parapet.audit.AuditPipeline} (queues,
 * batches, retries and the on-disk spool between the gateway and its sinks),
 * {@link dev.parapet.audit.AuditFileVerifier} and {@link dev.parapet.audit.AuditKeys} (checking the
 * file sink's hash chain and signed checkpoints). The sinks themselves (stdout, file, jdbc,
 * webhook, kafka) are package-private behind their providers.
 */
package dev.parapet.audit;
