package dev.parapet.postgres.result;

import dev.parapet.config.TargetConfig;
import dev.parapet.core.UpstreamAccount;
import dev.parapet.postgres.codec.BackendDecoder;
import dev.parapet.postgres.codec.FrontendEncoder;
import dev.parapet.postgres.message.BackendKeyData;
import dev.parapet.postgres.message.BackendMessage;
import dev.parapet.postgres.message.DataRow;
import dev.parapet.postgres.message.ErrorResponse;
import dev.parapet.postgres.message.ParameterStatus;
import dev.parapet.postgres.message.ReadyForQuery;
import dev.parapet.postgres.message.Relayed;
import dev.parapet.postgres.message.RelayedMessage;
import dev.parapet.postgres.upstream.UpstreamConnector;
import dev.parapet.postgres.upstream.UpstreamEvents;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Where the columns of a result come from, as one target's database says: a RowDescription
 * names each column's table by OID and its attribute number, and this resolves them to schema,
 * table and column names. Lookups go over a connection of their own (the target's service
 * account), opened when first needed and kept; answers are cached for {@code ttl}, and dropped
 * early by {@link #invalidate} (a definition changed through the gateway). Shared by every
 * session on the target, on whatever event loop: the cache is concurrent and the connection is
 * only touched on its own loop. A session waiting for an answer waits on nothing but a future.
 */
public final class Catalog {

    /** One column of a relation. */
    public record Column(String name, int typeOid, int typeModifier) {
    }

    /** A table, view or other relation: its schema, name and columns by attribute number. */
    public record Relation(int oid, String schema, String name, Map<Integer, Column> columns) {
        public Relation {
            columns = Map.copyOf(columns);
        }
    }

    private record Cached(Relation relation, long expiresAt) {
    }

    private record Lookup(Set<Integer> oids, CompletableFuture<Map<Integer, Relation>> answer) {
    }

    private final TargetConfig target;
    private final UpstreamConnector connector;
    private final long ttlNanos;
    private final Map<Integer, Cached> cache = new ConcurrentHashMap<>();
    private final Object connectionLock = new Object();
    private SideConnection connection;

    public Catalog(TargetConfig target, UpstreamConnector connector, Duration ttl) {
        this.target = target;
        this.connector = connector;
        this.ttlNanos = ttl.toNanos();
    }

    /**
     * The relations with the given OIDs (those that exist: a table dropped meanwhile is left
     * out). Completes at once from the cache, else when the database has answered; completes
     * exceptionally when it cannot be asked. Callbacks run on the catalog connection's loop: hop
     * back to your own.
     */
    public CompletableFuture<Map<Integer, Relation>> relations(EventLoop callerLoop, Set<Integer> oids) {
        long now = System.nanoTime();
        Map<Integer, Relation> known = new HashMap<>();
        Set<Integer> missing = new TreeSet<>();
        for (int oid : oids) {
            Cached cached = cache.get(oid);
            if (cached != null && cached.expiresAt - now > 0) {
                if (cached.relation != null) {
                    known.put(oid, cached.relation);
                }
            } else {
                missing.add(oid);
            }
        }
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(known);
        }
        CompletableFuture<Map<Integer, Relation>> answer = new CompletableFuture<>();
        SideConnection side;
        synchronized (connectionLock) {
            if (connection == null || connection.closed) {
                connection = new SideConnection(callerLoop);
            }
            side = connection;
        }
        side.loop.execute(() -> side.ask(new Lookup(missing, answer)));
        return answer.thenApply(found -> {
            Map<Integer, Relation> all = new HashMap<>(known);
            all.putAll(found);
            return all;
        });
    }

    /** Forgets every cached answer (a definition may have changed). */
    public void invalidate() {
        cache.clear();
    }

    static String query(Set<Integer> oids) {
        String list = oids.stream().map(Integer::toUnsignedString).collect(Collectors.joining(","));
        return "select c.oid, n.nspname, c.relname, a.attnum, a.attname, a.atttypid, a.atttypmod"
                + " from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
                + " left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped"
                + " where c.oid in (" + list + ")";
    }

    /** The connection lookups go over: one query at a time, the others queued, all on {@code loop}. */
    private final class SideConnection implements UpstreamEvents {

        final EventLoop loop;
        final ArrayDeque<Lookup> queue = new ArrayDeque<>();
        Channel channel;
        boolean ready;
        volatile boolean closed;
        Lookup current;
        Map<Integer, RelationRows> rows;

        SideConnection(EventLoop loop) {
            this.loop = loop;
        }

        void ask(Lookup lookup) {
            if (closed) {
                lookup.answer.completeExceptionally(new IllegalStateException("the catalog connection is closed"));
                return;
            }
            queue.add(lookup);
            if (channel == null) {
                var upstream = target.upstream();
                UpstreamAccount account = new UpstreamAccount(upstream.user(), upstream.password(), Optional.empty());
                var connecting = connector.connect(loop, target, account,
                        Map.of("application_name", "parapet catalog lookups"), this);
                channel = connecting.channel();
                connecting.addListener(f -> {
                    if (!f.isSuccess()) {
                        fail("cannot connect: " + f.cause());
                    }
                });
            } else if (ready && current == null) {
                next();
            }
        }

        private void next() {
            current = queue.poll();
            if (current == null) {
                return;
            }
            rows = new LinkedHashMap<>();
            channel.writeAndFlush(FrontendEncoder.query(channel.alloc(), query(current.oids)));
        }

        @Override
        public void upstreamReady(List<ParameterStatus> parameters, BackendKeyData key) {
            BackendDecoder decoder = channel.pipeline().get(BackendDecoder.class);
            decoder.inspectRows(true);
            decoder.messageByMessage(true);
            ready = true;
            next();
        }

        @Override
        public void upstreamFailed(ErrorResponse toClient, String detail) {
            fail(detail);
        }

        @Override
        public void upstreamMessage(BackendMessage message) {
            switch (message) {
                case DataRow row -> {
                    try {
                        readRow(row.frame());
                    } finally {
                        row.frame().release();
                    }
                }
                case RelayedMessage relayed -> relayed.frame().release();
                case Relayed relayed -> relayed.bytes().release();
                case ErrorResponse error when !error.notice() -> {
                    if (current != null) {
                        current.answer.completeExceptionally(new IllegalStateException(
                                "the catalog lookup failed: " + error.sqlState() + " " + error.message()));
                        current = null;
                    }
                }
                case ReadyForQuery ready -> {
                    if (current != null) {
                        long expiresAt = System.nanoTime() + ttlNanos;
                        Map<Integer, Relation> found = new HashMap<>();
                        rows.forEach((oid, builder) -> found.put(oid, builder.build()));
                        for (int oid : current.oids) {
                            cache.put(oid, new Cached(found.get(oid), expiresAt));
                        }
                        current.answer.complete(found);
                    }
                    next();
                }
                default -> { }
            }
        }

        private void readRow(ByteBuf frame) {
            int count = frame.getUnsignedShort(5);
            String[] values = new String[count];
            int at = 7;
            for (int i = 0; i < count; i++) {
                int length = frame.getInt(at);
                at += 4;
                if (length >= 0) {
                    values[i] = frame.toString(at, length, StandardCharsets.UTF_8);
                    at += length;
                }
            }
            int oid = Integer.parseUnsignedInt(values[0]);
            RelationRows relation = rows.computeIfAbsent(oid, o -> new RelationRows(o, values[1], values[2]));
            if (values[3] != null) {
                relation.columns.put(Integer.parseInt(values[3]), new Column(values[4],
                        Integer.parseUnsignedInt(values[5]), Integer.parseInt(values[6])));
            }
        }

        @Override
        public void upstreamReadComplete() {
        }

        @Override
        public void upstreamClosed() {
            fail("the database closed the catalog connection");
        }

        private void fail(String why) {
            closed = true;
            IllegalStateException failure = new IllegalStateException("catalog lookups on target \"" + target.name()
                    + "\" are unavailable: " + why);
            if (current != null) {
                current.answer.completeExceptionally(failure);
                current = null;
            }
            Lookup waiting;
            while ((waiting = queue.poll()) != null) {
                waiting.answer.completeExceptionally(failure);
            }
            if (channel != null) {
                channel.close();
            }
        }
    }

    /** A relation's rows of the lookup's answer, as they arrive. */
    private static final class RelationRows {
        final int oid;
        final String schema;
        final String name;
        final Map<Integer, Column> columns = new HashMap<>();

        RelationRows(int oid, String schema, String name) {
            this.oid = oid;
            this.schema = schema;
            this.name = name;
        }

        Relation build() {
            return new Relation(oid, schema, name, columns);
        }
    }
}
