/**
 * The gateway's configuration: the YAML model as validated records, secret references (${ENV} and file), and loading with file:line errors. Public surface: {@link dev.parapet.config.ConfigLoader}, {@link dev.parapet.config.ParapetConfig} and the records it holds.
 */
package dev.parapet.config;
