package dev.parapet.postgres.message;

import java.util.List;

/** Tells a client asking for a newer 3.x minor version which one it gets, and which options were not recognised. */
public record NegotiateProtocolVersion(int newestMinorVersion, List<String> unrecognizedOptions) implements BackendMessage {
    public NegotiateProtocolVersion {
        unrecognizedOptions = List.copyOf(unrecognizedOptions);
    }
}
