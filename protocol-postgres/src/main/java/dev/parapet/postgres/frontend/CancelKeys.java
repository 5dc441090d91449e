package dev.parapet.postgres.frontend;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cancel keys this gateway handed to its clients, each mapped to the upstream key it stands
 * for. A client never sees the database's key, so it can cancel its own statements through the
 * gateway and nobody else's; a request with a wrong key matches nothing.
 */
final class CancelKeys {

    /**
     * Where a client's cancel goes: the upstream server and the key it gave the gateway, and what
     * cancels a statement the gateway itself holds (waiting for approval), which the server knows
     * nothing of: true when there was one, and then the server is not asked to cancel anything.
     */
    record UpstreamKey(InetSocketAddress server, int processId, int secretKey, java.util.function.BooleanSupplier cancelHeld) {
        UpstreamKey(InetSocketAddress server, int processId, int secretKey) {
            this(server, processId, secretKey, () -> false);
        }
    }

    private record Entry(int secret, UpstreamKey upstream) {
    }

    private final Map<Integer, Entry> byProcessId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /** Registers an upstream key; returns the {processId, secretKey} pair to give the client. */
    int[] register(UpstreamKey upstream) {
        int secret = random.nextInt();
        while (true) {
            int pid = random.nextInt(1, Integer.MAX_VALUE);
            if (byProcessId.putIfAbsent(pid, new Entry(secret, upstream)) == null) {
                return new int[] {pid, secret};
            }
        }
    }

    void remove(int processId) {
        byProcessId.remove(processId);
    }

    Optional<UpstreamKey> match(int processId, int secretKey) {
        Entry entry = byProcessId.get(processId);
        int expected = entry == null ? ~secretKey : entry.secret();
        boolean same = MessageDigest.isEqual(bytes(expected), bytes(secretKey));
        return same && entry != null ? Optional.of(entry.upstream()) : Optional.empty();
    }

    private static byte[] bytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
