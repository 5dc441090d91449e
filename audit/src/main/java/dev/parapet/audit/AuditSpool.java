package dev.parapet.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The events one sink could not take yet, on disk and in order: one JSON line per event in
 * {@code spool.jsonl}, and in {@code spool.offset} how far the sink has taken them. Events are
 * appended and forced to disk before the spool says it has them; they are read back from the
 * offset, and the offset moves (and is forced) only after the sink took them, so a crash in
 * between hands some events over twice, never loses one. When every spooled event is taken the
 * files are emptied. Used by one thread, the sink's worker.
 */
final class AuditSpool implements AutoCloseable {

    private final Path data;
    private final Path offsetFile;
    private final long maxBytes;
    private final FileChannel channel;
    private long readOffset;

    AuditSpool(Path directory, long maxBytes) throws IOException {
        Files.createDirectories(directory);
        this.data = directory.resolve("spool.jsonl");
        this.offsetFile = directory.resolve("spool.offset");
        this.maxBytes = maxBytes;
        this.channel = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.readOffset = readOffset();
        long size = channel.size();
        if (readOffset > size) {
            readOffset = size;
        }
        dropTornTail();
    }

    private long readOffset() throws IOException {
        if (!Files.exists(offsetFile)) {
            return 0;
        }
        String text = Files.readString(offsetFile).trim();
        try {
            return text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("the spool offset file " + offsetFile + " is damaged: " + text);
        }
    }

    /** A crash while appending can leave half a line at the end: it was never acknowledged, so it goes. */
    private void dropTornTail() throws IOException {
        long size = channel.size();
        if (size == 0) {
            return;
        }
        ByteBuffer last = ByteBuffer.allocate(1);
        channel.read(last, size - 1);
        if (last.get(0) == '\n') {
            return;
        }
        long end = size;
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        while (end > readOffset) {
            long from = Math.max(readOffset, end - chunk.capacity());
            chunk.clear().limit((int) (end - from));
            channel.read(chunk, from);
            for (int i = chunk.position() - 1; i >= 0; i--) {
                if (chunk.get(i) == '\n') {
                    channel.truncate(from + i + 1);
                    return;
                }
            }
            end = from;
        }
        channel.truncate(readOffset);
    }

    /** Bytes waiting. */
    long pendingBytes() {
        try {
            return channel.size() - readOffset;
        } catch (IOException e) {
            return 0;
        }
    }

    boolean isEmpty() {
        return pendingBytes() == 0;
    }

    /** Whether {@code bytes} more would fit under the limit. */
    boolean fits(long bytes) {
        return pendingBytes() + bytes <= maxBytes;
    }

    /** Appends {@code events} durably. */
    void append(List<AuditEvent> events) throws IOException {
        int size = 0;
        for (AuditEvent event : events) {
            size += event.json().length + 1;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (AuditEvent event : events) {
            buffer.put(event.json()).put((byte) '\n');
        }
        buffer.flip();
        long at = channel.size();
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
        channel.force(false);
    }

    /** Up to {@code max} events from the read position, and the position after them. */
    Batch peek(int max) throws IOException {
        List<AuditEvent> events = new ArrayList<>();
        long position = readOffset;
        long end = channel.size();
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(1024);
        long cursor = position;
        while (events.size() < max && cursor < end) {
            chunk.clear();
            int read = channel.read(chunk, cursor);
            if (read <= 0) {
                break;
            }
            for (int i = 0; i < read && events.size() < max; i++) {
                byte b = chunk.get(i);
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    line.reset();
                    position = cursor + i + 1;
                    try {
                        events.add(AuditEvent.parse(bytes));
                    } catch (IllegalArgumentException e) {
                        throw new IOException("the spool " + data + " holds a damaged line before byte " + position
                                + ": " + new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.UTF_8));
                    }
                } else {
                    line.write(b);
                }
            }
            cursor += read;
        }
        return new Batch(events, position);
    }

    /** The events up to {@code position} were taken by the sink. */
    void taken(long position) throws IOException {
        readOffset = position;
        if (readOffset >= channel.size()) {
            channel.truncate(0);
            channel.force(false);
            readOffset = 0;
        }
        Path tmp = offsetFile.resolveSibling("spool.offset.tmp");
        Files.writeString(tmp, Long.toString(readOffset));
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, offsetFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    record Batch(List<AuditEvent> events, long endPosition) {
    }
}
