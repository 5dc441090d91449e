package dev.parapet.postgres.message;

import java.util.Map;

/** The first message of a session: protocol version and parameters (user, database, options...). */
public record StartupMessage(int majorVersion, int minorVersion, Map<String, String> parameters)
        implements FrontendMessage {

    public static final int PROTOCOL_3_0 = 3 << 16;

    public StartupMessage {
        parameters = Map.copyOf(parameters);
    }
}
