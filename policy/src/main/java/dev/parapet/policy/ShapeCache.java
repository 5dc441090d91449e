package dev.parapet.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded least-recently-used map from statement fingerprint to analysis, shared by every
 * session of a target. It is split into independently locked stripes so that event-loop threads
 * looking up different shapes do not wait on each other; each stripe evicts its own least recently
 * used entry when full, so the bound is the capacity rounded up to a multiple of the stripe count.
 */
final class ShapeCache<V> {

    private static final int STRIPES = 16;

    private final List<Stripe<V>> stripes;

    ShapeCache(int capacity) {
        this(capacity, STRIPES);
    }

    ShapeCache(int capacity, int maxStripes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the cache must hold at least one entry");
        }
        int stripeCount = Math.min(maxStripes, capacity);
        int perStripe = (capacity + stripeCount - 1) / stripeCount;
        List<Stripe<V>> created = new ArrayList<>(stripeCount);
        for (int i = 0; i < stripeCount; i++) {
            created.add(new Stripe<>(perStripe));
        }
        stripes = List.copyOf(created);
    }

    V get(String key) {
        Stripe<V> stripe = stripeOf(key);
        synchronized (stripe) {
            return stripe.get(key);
        }
    }

    void put(String key, V value) {
        Stripe<V> stripe = stripeOf(key);
        synchronized (stripe) {
            stripe.put(key, value);
        }
    }

    int size() {
        int size = 0;
        for (Stripe<V> stripe : stripes) {
            synchronized (stripe) {
                size += stripe.size();
            }
        }
        return size;
    }

    private Stripe<V> stripeOf(String key) {
        int hash = key.hashCode();
        hash ^= hash >>> 16;
        return stripes.get(Math.floorMod(hash, stripes.size()));
    }

    private static final class Stripe<V> extends LinkedHashMap<String, V> {
        private static final long serialVersionUID = 1L;
        private final int capacity;

        Stripe(int capacity) {
            super(Math.min(capacity, 1024) * 4 / 3 + 1, 0.75f, true);
            this.capacity = capacity;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
            return size() > capacity;
        }
    }
}
