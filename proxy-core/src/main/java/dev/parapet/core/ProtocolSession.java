package dev.parapet.core;

/**
 * What the protocol-neutral core needs of an open client session, whatever its protocol: who it
 * is, and a way to end it politely when the gateway shuts down.
 */
public interface ProtocolSession {

    long id();

    /**
     * The gateway is shutting down: end the session at its next idle point (no statement running,
     * no transaction open), with an error in the session's protocol telling the client why.
     */
    void shutdownWhenIdle();

    /**
     * The grace period is over: end the session now, with an error telling the client why. May
     * return before the session is closed; a closed session removes itself from the registry.
     */
    void closeNow();
}
