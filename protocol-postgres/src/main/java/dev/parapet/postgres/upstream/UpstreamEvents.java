package dev.parapet.postgres.upstream;

import dev.parapet.postgres.message.BackendKeyData;
import dev.parapet.postgres.message.BackendMessage;
import dev.parapet.postgres.message.ErrorResponse;
import dev.parapet.postgres.message.ParameterStatus;
import java.util.List;

/**
 * What an upstream connection tells the client session that owns it. Called on the event loop the
 * two channels share, so the session needs no locking.
 */
public interface UpstreamEvents {

    /** Logged in and idle: the parameters the server reported, and its cancel key. */
    void upstreamReady(List<ParameterStatus> parameters, BackendKeyData key);

    /**
     * The connection could not be established. {@code toClient} is safe to show the caller
     * (it never names service credentials); {@code detail} is for the gateway's log.
     */
    void upstreamFailed(ErrorResponse toClient, String detail);

    /** After ready: a message from the server (relayed bytes or an observed message). */
    void upstreamMessage(BackendMessage message);

    /** After ready: the end of one read from the server; time to flush to the client. */
    void upstreamReadComplete();

    /** After ready: the server closed the connection or it broke. */
    void upstreamClosed();
}
