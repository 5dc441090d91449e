package dev.parapet.mysql.frontend;

import dev.parapet.config.TargetConfig;
import dev.parapet.core.GatewayContext;
import dev.parapet.mysql.upstream.ServerGreeting;
import dev.parapet.mysql.upstream.UpstreamConnector;
import dev.parapet.mysql.wire.Capabilities;
import dev.parapet.mysql.wire.PacketDecoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up each accepted MySQL client channel, and holds what the listener's sessions share: the
 * upstream connector, the connection count, the sessions by the connection id their clients
 * know (for KILL), and what the greeting says. Clients choose features from the server version
 * in the greeting, before they name a target; the gateway reads the greeting of the first MySQL
 * target's database at start and presents its version and capabilities.
 */
public final class MySqlListener extends ChannelInitializer<Channel> {

    private static final Logger log = LoggerFactory.getLogger(MySqlListener.class);
    /** Presented when no database could be asked. */
    static final String DEFAULT_VERSION = "8.0.40-parapet";

    private final GatewayContext context;
    private final UpstreamConnector connector;
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<Long, ClientSession> sessions = new ConcurrentHashMap<>();
    private final String serverVersion;
    private final int offered;

    public MySqlListener(GatewayContext context) {
        this.context = context;
        this.connector = new UpstreamConnector(context.transport());
        ServerGreeting greeting = probe(context);
        this.serverVersion = greeting == null ? DEFAULT_VERSION : greeting.serverVersion();
        int caps = Capabilities.OFFERED & (greeting == null ? -1 : greeting.capabilities() | ~Capabilities.RELAYED);
        this.offered = context.clientTls().isPresent() ? caps | Capabilities.SSL : caps;
    }

    /** The greeting of the first MySQL target's database, or null when none answers within two seconds. */
    private static ServerGreeting probe(GatewayContext context) {
        for (TargetConfig target : context.config().targets()) {
            if (target.protocol() != TargetConfig.Protocol.MYSQL) {
                continue;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(target.upstream().host(), target.upstream().port()), 2000);
                socket.setSoTimeout(2000);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] header = in.readNBytes(4);
                int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
                byte[] packet = new byte[4 + length];
                System.arraycopy(header, 0, packet, 0, 4);
                in.readFully(packet, 4, length);
                ServerGreeting greeting = ServerGreeting.of(Unpooled.wrappedBuffer(packet));
                log.info("MySQL listener presents {} (from target {})", greeting.serverVersion(), target.name());
                return greeting;
            } catch (IOException | RuntimeException e) {
                log.warn("MySQL target {} did not greet the gateway ({}); clients are told version {}", target.name(),
                        e.toString(), DEFAULT_VERSION);
            }
            return null;
        }
        return null;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast("decoder", new PacketDecoder(context.config().limits().maxMessageSize().bytes()));
        ch.pipeline().addLast("session", new ClientSession(context, this, connections));
    }

    String serverVersion() {
        return serverVersion;
    }

    int offered() {
        return offered;
    }

    UpstreamConnector connector() {
        return connector;
    }

    void register(ClientSession session) {
        sessions.put(session.id(), session);
    }

    void unregister(ClientSession session) {
        sessions.remove(session.id(), session);
    }

    ClientSession session(long connectionId) {
        return sessions.get(connectionId);
    }

    /** The session of {@code caller} on {@code target} whose database thread is {@code threadId}, if any. */
    ClientSession sessionOnDatabase(String target, long threadId, dev.parapet.core.Identity caller) {
        for (ClientSession session : sessions.values()) {
            if (session.upstreamThread() == threadId && target.equals(session.targetName()) && session.sameCaller(caller)) {
                return session;
            }
        }
        return null;
    }
}
