package dev.parapet.postgres.message;

/**
 * A message from a PostgreSQL client (or from the gateway acting as one, upstream). Only the
 * messages the gateway acts on have their own type; everything else travels as {@link Relayed}.
 */
public sealed interface FrontendMessage
        permits StartupMessage, SslRequest, GssEncRequest, CancelRequest, PasswordMessage,
                Query, Parse, Bind, BoundPortal, Describe, Execute, HeldExecute, Close, Sync, FunctionCall, Terminate, Relayed {}
