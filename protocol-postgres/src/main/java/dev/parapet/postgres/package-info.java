/**
 * PostgreSQL wire protocol v3 on both sides of the gateway. {@code message} holds one record per
 * message the gateway reads or writes, {@code codec} turns bytes into those records and back (and
 * relays everything else as untouched buffer slices), {@code auth} has the password mechanisms the
 * gateway uses upstream, {@code frontend} is the client-facing session, {@code upstream} the
 * database-facing connection. Public surface: {@link dev.parapet.postgres.PostgresFrontend}.
 */
package dev.parapet.postgres;
