package dev.parapet.postgres.message;

/** The server reports a run-time parameter (server_version, client_encoding, TimeZone...). */
public record ParameterStatus(String name, String value) implements BackendMessage {
}
