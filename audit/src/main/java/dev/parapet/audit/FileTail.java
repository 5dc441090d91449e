package dev.parapet.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The end of an audit file as the sink finds it when it opens the file: the complete lines of its
 * last stretch (at least the last one, however long), and what follows the last newline, which is
 * a line cut short by a crash.
 *
 * @param completeLength the offset just after the last newline: where the file should end
 * @param partialLength the bytes after it
 * @param partialSha256 their SHA-256 in hex, or null when there are none
 * @param lines the complete lines read, oldest first, without their newlines
 */
record FileTail(long completeLength, long partialLength, String partialSha256, List<byte[]> lines) {

    /** Reads about the last {@code window} bytes of {@code file}, more when its last line is longer. */
    static FileTail read(Path file, int window) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long want = Math.min(size, window);
            while (true) {
                long start = size - want;
                byte[] bytes = read(channel, start, (int) want);
                int lastNewline = lastNewline(bytes, bytes.length - 1);
                boolean whole = start == 0;
                if (lastNewline < 0 && whole) {
                    return new FileTail(0, size, size == 0 ? null : sha256(bytes, 0, bytes.length), List.of());
                }
                if (lastNewline >= 0 && (whole || lastNewline(bytes, lastNewline - 1) >= 0)) {
                    int from = 0;
                    if (!whole) {
                        while (bytes[from] != '\n') {
                            from++;
                        }
                        from++;
                    }
                    List<byte[]> lines = new ArrayList<>();
                    for (int i = from; i <= lastNewline; i++) {
                        if (bytes[i] == '\n') {
                            lines.add(java.util.Arrays.copyOfRange(bytes, from, i));
                            from = i + 1;
                        }
                    }
                    int partial = bytes.length - lastNewline - 1;
                    return new FileTail(start + lastNewline + 1, partial,
                            partial == 0 ? null : sha256(bytes, lastNewline + 1, partial), lines);
                }
                if (want * 2 > Integer.MAX_VALUE - 16) {
                    throw new IOException(file + ": its last line is longer than 1 GiB");
                }
                want = Math.min(size, want * 2);
            }
        }
    }

    boolean hasLines() {
        return !lines.isEmpty();
    }

    byte[] lastLine() {
        return lines.getLast();
    }

    private static byte[] read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("the file shrank while being read");
            }
        }
        return buffer.array();
    }

    private static int lastNewline(byte[] bytes, int from) {
        for (int i = from; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String sha256(byte[] bytes, int offset, int length) {
        var digest = ChainWriter.sha256();
        digest.update(bytes, offset, length);
        return HexFormat.of().formatHex(digest.digest());
    }
}
