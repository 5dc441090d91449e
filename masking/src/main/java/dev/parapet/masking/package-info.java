/**
 * Dynamic masking of result values: column classifiers, content detectors, strategies and mask plans. Knows nothing of wire protocols or SQL parsing. (Filled in by the masking work; empty in the foundation.)
 */
package dev.parapet.masking;
