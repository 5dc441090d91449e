/**
 * The audit trail: audit events, the sink SPI, sinks, the asynchronous pipeline and the hash chain. Knows nothing of wire protocols. (Filled in by the audit work; empty in the foundation.)
 *
 * <p>Public for the command line: {@link dev.parapet.audit.AuditFileVerifier}, which checks the hash chain
 * of the file sink's files, and {@link dev.parapet.audit.AuditKeys}, which makes and reads its signing keys.
 */
package dev.parapet.audit;
