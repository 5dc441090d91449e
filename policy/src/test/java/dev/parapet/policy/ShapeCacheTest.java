package dev.parapet.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShapeCacheTest {

    @Test
    void evictsTheLeastRecentlyUsedShapeWhenFull() {
        ShapeCache<String> cache = new ShapeCache<>(2, 1);
        cache.put("a", "A");
        cache.put("b", "B");
        assertThat(cache.get("a")).isEqualTo("A"); // a is now more recent than b
        cache.put("c", "C");
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isEqualTo("A");
        assertThat(cache.get("c")).isEqualTo("C");
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void staysWithinItsCapacityAcrossStripes() {
        ShapeCache<Integer> cache = new ShapeCache<>(100);
        for (int i = 0; i < 10_000; i++) {
            cache.put("shape " + i, i);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(112).isGreaterThan(50);
        assertThat(cache.get("shape 9999")).isEqualTo(9999);
    }
}
