/**
 * The protocol-neutral heart of the gateway: listeners and event loops, who is connecting
 * ({@link dev.parapet.core.Identity}, {@link dev.parapet.core.IdentityResolver}), which database
 * they reach ({@link dev.parapet.core.TargetRegistry}), the sessions open now
 * ({@link dev.parapet.core.SessionRegistry}), backpressure between a client and its upstream
 * ({@link dev.parapet.core.Backpressure}) and metrics ({@link dev.parapet.core.GatewayMetrics}).
 * A protocol module plugs in through {@link dev.parapet.core.ProtocolFrontend}; it turns bytes into
 * these neutral calls and never makes an identity, policy or audit decision of its own.
 */
package dev.parapet.core;
