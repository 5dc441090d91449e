/**
 * SQL analysis and guardrail policy: turns a statement into an analysis and an analysis plus an identity into a decision. Knows nothing of wire protocols. (Filled in by the guardrails work; empty in the foundation.)
 */
package dev.parapet.policy;
