package dev.parapet.postgres.message;

/**
 * A message from a PostgreSQL server (or from the gateway acting as one, to the client). Only the
 * messages the gateway acts on have their own type; everything else travels as {@link Relayed}.
 */
public sealed interface BackendMessage
        permits Authentication, ParameterStatus, BackendKeyData, ReadyForQuery, RowDescription, DataRow,
                NotificationResponse, ParseComplete, CloseComplete,
                CommandComplete, PortalSuspended, EmptyQueryResponse, NoData, ErrorResponse, NegotiateProtocolVersion, Relayed,
                RelayedMessage {}
