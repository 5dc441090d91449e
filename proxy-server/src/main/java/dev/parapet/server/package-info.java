/**
 * The runnable gateway: the {@code parapet} command line ({@link dev.parapet.server.Main}), the
 * wiring of configuration into a running {@link dev.parapet.server.GatewayServer}, the admin HTTP
 * listener (metrics, health, readiness), development TLS certificates and the demo.
 */
package dev.parapet.server;
