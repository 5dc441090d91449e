package dev.parapet.core;

import dev.parapet.config.TargetConfig;
import java.net.InetSocketAddress;

/**
 * What an audit event says about the session it belongs to, whatever the protocol.
 *
 * @param sessionId the gateway's number for the session
 * @param identity who logged in; null while (or when) the login did not succeed
 * @param claimedUser the user name the client gave, for refused logins ("" when none)
 * @param client the client's address, or null
 * @param application the client's application name ("" when it gave none)
 * @param target the target, or null when the client named none the gateway knows
 * @param database the database name the client asked for
 * @param protocol postgresql or mysql
 */
public record SessionFacts(long sessionId, Identity identity, String claimedUser, InetSocketAddress client,
        String application, TargetConfig target, String database, String protocol) {

    public SessionFacts {
        claimedUser = claimedUser == null ? "" : claimedUser;
        application = application == null ? "" : application;
        database = database == null ? "" : database;
    }
}
