/**
 * The audit trail: audit events, the sink SPI, sinks, the asynchronous pipeline and the hash chain. Knows nothing of wire protocols. (Filled in by the audit work; empty in the foundation.)
 */
package dev.parapet.audit;
