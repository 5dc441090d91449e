package dev.parapet.masking;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array for building one replacement cell (unsynchronised, unlike the JDK's). */
final class ByteSink {

    private byte[] bytes;
    private int size;

    ByteSink(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    void append(byte[] b, int from, int to) {
        int n = to - from;
        ensure(n);
        System.arraycopy(b, from, bytes, size, n);
        size += n;
    }

    void append(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    void append(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        append(utf8, 0, utf8.length);
    }

    byte[] toArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
