package dev.parapet.audit;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a file line by line as bytes, never decoding them: a line of the chain is hashed exactly
 * as written. Tells a line ended by a newline from a last line cut short.
 */
final class LineReader implements Closeable {

    private final InputStream in;
    private final byte[] chunk = new byte[64 * 1024];
    private int position;
    private int limit;
    private byte[] line = new byte[8 * 1024];
    private int length;
    private boolean terminated;

    LineReader(Path file) throws IOException {
        this.in = Files.newInputStream(file);
    }

    /** Moves to the next line; false at the end of the file. */
    boolean next() throws IOException {
        length = 0;
        terminated = false;
        while (true) {
            if (position == limit) {
                limit = in.read(chunk);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return length > 0;
                }
            }
            int end = position;
            while (end < limit && chunk[end] != '\n') {
                end++;
            }
            add(position, end - position);
            if (end < limit) {
                position = end + 1;
                terminated = true;
                return true;
            }
            position = limit;
        }
    }

    /** The current line's bytes, from 0 to {@link #length()}, without its newline. */
    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }

    /** Whether the current line ends with a newline (only a file's last line may not). */
    boolean terminated() {
        return terminated;
    }

    private void add(int from, int count) {
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        }
        System.arraycopy(chunk, from, line, length, count);
        length += count;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
