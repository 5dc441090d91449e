package dev.parapet.mysql.upstream;

import dev.parapet.mysql.wire.Packets;
import io.netty.buffer.ByteBuf;

/** What a session hears from its database connection. Called on the session's event loop. */
public interface UpstreamEvents {

    /** Logged in: the database's greeting facts and the capabilities the session runs with. */
    void upstreamReady(ServerGreeting greeting, int capabilities, int status);

    /** The login failed: {@code error} is the database's ERR packet, when it sent one; {@code detail} for the log. */
    void upstreamFailed(Packets.Error error, String detail);

    /** One packet of an answer (taken by the callee). */
    void upstreamPacket(ByteBuf packet);

    /** The database's packets read so far are all handed over: time to flush them to the client. */
    void upstreamReadComplete();

    /** The database closed the connection. */
    void upstreamClosed();
}
