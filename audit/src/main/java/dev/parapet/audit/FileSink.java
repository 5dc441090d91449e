package dev.parapet.audit;

import dev.parapet.config.AuditSinkConfig;
import dev.parapet.config.ByteSize;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit events as JSON lines in a local file ({@code type: file}), made tamper-evident by a hash
 * chain and signed checkpoints, so that {@link AuditFileVerifier} can tell an intact trail from an
 * edited, cut or reordered one. Owns the live file and the names of the files rotated out of it.
 *
 * <p>Every line is {@code {"seq":N,"prev":"<hash of line N-1>","<kind>":{...},"hash":"<hex>"}},
 * where {@code hash} is the SHA-256 of the line's bytes before {@code ,"hash":"} and the kind is
 * {@code event} (the event's {@link AuditEvent#json()} verbatim), {@code checkpoint},
 * {@code start}, {@code rotated-from} or {@code recovered}; docs/audit-file-format.md has the
 * details. The chain goes on across restarts (the sink reads the file's last line when it opens it)
 * and across rotation (a new file starts with a {@code rotated-from} line linked to the last line
 * of the file before). A line cut short by a crash is cut off and recorded in a {@code recovered}
 * line.
 *
 * <p>A batch is written with one write and one fsync before {@link #write} returns. Checkpoints
 * are written every {@code checkpoint-every} events, once {@code checkpoint-interval} has passed
 * since the last one, before a rotation, when the file is opened and at close; a timer thread of the
 * sink's own writes those falling due between batches, hence the lock.
 */
final class FileSink implements AuditSink {

    private static final Logger LOG = LoggerFactory.getLogger(FileSink.class);

    /** How much of a file's end is read when it is opened, for its last line and the ids of recent events. */
    private static final int TAIL_WINDOW = 4 * 1024 * 1024;
    private static final DateTimeFormatter ROTATED_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final String name;
    private final Settings settings;
    private final Clock clock;
    private final String instance;
    private final ChainWriter chain;
    private final MessageDigest sha256 = ChainWriter.sha256();
    private final ReentrantLock lock = new ReentrantLock();
    private ScheduledExecutorService timer;

    /** The live file, open for appending; null after a failure, until the next write opens it again. */
    private FileChannel channel;
    private long size;
    private long eventsInFile;
    private Instant rotateAt;
    private int eventsSinceCheckpoint;
    /** Lines written and not yet forced to disk, and when they last were. */
    private boolean unsynced;
    private long lastSync = System.nanoTime();
    private int linesSinceCheckpoint;
    private Instant lastCheckpoint;
    /** Ids of events found at the end of the file when it was opened: a batch tried again may hold them. */
    private Set<String> alreadyWritten = Set.of();
    private boolean maintenanceFailing;
    private boolean closed;

    /**
     * The file sink's settings, checked.
     *
     * @param path the live file (absolute)
     * @param maxSize rotate once the file holds this many bytes; 0: never by size
     * @param rotateEvery rotate at every multiple of this counted from the epoch (1d: at midnight
     *     UTC); null: never by time
     * @param checkpointEvery the most events between two checkpoints
     * @param checkpointInterval the longest a line waits for a checkpoint
     * @param signingKey the Ed25519 key checkpoints are signed with; null: unsigned
     * @param fsyncInterval how often written lines are forced to disk: zero, after every batch (a
     *     batch is then on disk before the pipeline counts it as taken); longer, at most that long
     *     after they were written (they are in the operating system's cache at once, so a crash of
     *     the gateway loses nothing; a crash of the machine can lose that long of events).
     *     Checkpoints, rotations and closing are always forced at once.
     */
    record Settings(Path path, long maxSize, Duration rotateEvery, int checkpointEvery, Duration checkpointInterval,
            PrivateKey signingKey, Duration fsyncInterval) {

        Settings(Path path, long maxSize, Duration rotateEvery, int checkpointEvery, Duration checkpointInterval,
                PrivateKey signingKey) {
            this(path, maxSize, rotateEvery, checkpointEvery, checkpointInterval, signingKey, Duration.ZERO);
        }

        static Settings of(AuditSinkConfig config) {
            String sink = "audit sink " + config.name() + ": ";
            Path path = config.path("path")
                    .orElseThrow(() -> new IllegalArgumentException(sink + "setting 'path' is required (the audit file)"));
            long maxSize = setting(sink, "max-size", () -> config.size("max-size", ByteSize.ofMebibytes(100))).bytes();
            Duration rotateEvery = setting(sink, "rotate-every", () -> config.duration("rotate-every", Duration.ZERO));
            int checkpointEvery = setting(sink, "checkpoint-every", () -> config.integer("checkpoint-every", 10_000));
            Duration interval = setting(sink, "checkpoint-interval",
                    () -> config.duration("checkpoint-interval", Duration.ofMinutes(1)));
            if (checkpointEvery < 1) {
                throw new IllegalArgumentException(sink + "checkpoint-every must be 1 or more");
            }
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException(sink + "checkpoint-interval must be longer than 0");
            }
            Duration fsync = setting(sink, "fsync-interval", () -> config.duration("fsync-interval", Duration.ofSeconds(1)));
            if (fsync.isNegative()) {
                throw new IllegalArgumentException(sink + "fsync-interval cannot be negative");
            }
            PrivateKey key = null;
            var keyFile = config.path("signing-key-file");
            if (keyFile.isPresent()) {
                try {
                    key = AuditKeys.readPrivateKey(keyFile.get());
                } catch (IOException | IllegalArgumentException e) {
                    throw new IllegalArgumentException(sink + "signing-key-file: " + e.getMessage(), e);
                }
            }
            return new Settings(path.toAbsolutePath(), maxSize, rotateEvery.isZero() ? null : rotateEvery,
                    checkpointEvery, interval, key, fsync);
        }

        private static <T> T setting(String sink, String key, Supplier<T> read) {
            try {
                return read.get();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(sink + key + ": " + e.getMessage(), e);
            }
        }
    }

    private FileSink(String name, Settings settings, AuditContext context) {
        this.name = name;
        this.settings = settings;
        this.clock = context.clock() == null ? Clock.systemUTC() : context.clock();
        this.instance = context.instance();
        this.chain = new ChainWriter(settings.signingKey());
    }

    /**
     * Opens (or creates) the live file and goes on with its chain.
     *
     * @param withTimer whether a thread of the sink's own writes checkpoints and rotations falling
     *     due between batches (tests call {@link #maintain()} instead)
     * @throws IOException when the file cannot be written, or its last line is damaged
     */
    static FileSink open(String name, Settings settings, AuditContext context, boolean withTimer) throws IOException {
        FileSink sink = new FileSink(name, settings, context);
        sink.lock.lock();
        try {
            sink.reopen();
        } catch (IOException | RuntimeException e) {
            sink.abandon();
            throw e;
        } finally {
            sink.lock.unlock();
        }
        if (withTimer) {
            long tick = Math.min(1000, settings.checkpointInterval().toMillis());
            sink.timer = Executors.newSingleThreadScheduledExecutor(
                    task -> Thread.ofPlatform().daemon().name("audit-file-" + name).unstarted(task));
            sink.timer.scheduleWithFixedDelay(sink::maintain, tick, tick, TimeUnit.MILLISECONDS);
        }
        return sink;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void write(List<AuditEvent> batch) throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new IOException("audit sink " + name + " is closed");
            }
            if (channel == null) {
                reopen();
            }
            Instant now = clock.instant();
            rotateIfDue(now);
            int skipped = 0;
            for (AuditEvent event : batch) {
                if (!alreadyWritten.isEmpty() && alreadyWritten.contains(event.id())) {
                    skipped++;
                    continue;
                }
                chain.event(event);
                eventsInFile++;
                linesSinceCheckpoint++;
                if (++eventsSinceCheckpoint >= settings.checkpointEvery()) {
                    appendCheckpoint(now);
                }
            }
            if (skipped > 0) {
                LOG.info("audit sink {}: {} event(s) of a batch tried again were already in {}; not written twice",
                        name, skipped, settings.path());
            } else {
                alreadyWritten = Set.of();
            }
            if (linesSinceCheckpoint > 0 && checkpointDue(now)) {
                appendCheckpoint(now);
            }
            flush();
        } catch (IOException e) {
            abandon();
            throw new IOException("audit sink " + name + ": writing " + settings.path() + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            abandon();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Writes the checkpoint or rotation that has fallen due since the last batch; the timer calls it. */
    void maintain() {
        lock.lock();
        try {
            if (closed || channel == null) {
                return;
            }
            Instant now = clock.instant();
            rotateIfDue(now);
            if (linesSinceCheckpoint > 0 && checkpointDue(now)) {
                appendCheckpoint(now);
                flush();
                sync();
            } else if (unsynced && System.nanoTime() - lastSync >= settings.fsyncInterval().toNanos()) {
                sync();
            }
            maintenanceFailing = false;
        } catch (IOException | RuntimeException e) {
            abandon();
            if (!maintenanceFailing) {
                LOG.warn("audit sink {}: writing a checkpoint or rotating {} failed (the next batch tries again): {}",
                        name, settings.path(), e.toString());
            }
            maintenanceFailing = true;
        } finally {
            lock.unlock();
        }
    }

    /** Writes a last checkpoint and closes the file. */
    @Override
    public void close() {
        if (timer != null) {
            timer.shutdown();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (channel == null) {
                reopen();
            } else if (linesSinceCheckpoint > 0) {
                appendCheckpoint(clock.instant());
                flush();
                sync();
            } else {
                sync();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("audit sink {}: the closing checkpoint of {} could not be written: {}", name, settings.path(),
                    e.toString());
        } finally {
            abandon();
            lock.unlock();
        }
    }

    /**
     * Opens the live file as a restart finds it: goes on from its last line, cutting off (and
     * recording) a line left incomplete; or, when there is no live file, goes on from the newest
     * file rotated out of it, or starts a new chain. Ends with a checkpoint.
     */
    private void reopen() throws IOException {
        abandon();
        Path path = settings.path();
        Files.createDirectories(path.getParent());
        Instant now = clock.instant();
        FileTail tail = Files.exists(path) ? FileTail.read(path, TAIL_WINDOW) : new FileTail(0, 0, null, List.of());
        Instant fileStarted = now;
        if (tail.hasLines()) {
            ChainLine last = lastLine(path, tail);
            cut(path, tail.completeLength());
            chain.resume(last.seq(), last.hash());
            alreadyWritten = eventIds(tail.lines());
            fileStarted = firstLineTime(path, now);
            eventsInFile = 1;
        } else {
            cut(path, 0);
            Previous previous = newestRotated();
            if (previous == null) {
                chain.resume(0, ChainLine.GENESIS);
                chain.start(now, instance);
            } else {
                chain.resume(previous.last().seq(), previous.last().hash());
                chain.rotatedFrom(previous.file().getFileName().toString(), now);
                alreadyWritten = previous.eventIds();
            }
            eventsInFile = 0;
        }
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = tail.completeLength();
        if (tail.partialLength() > 0) {
            chain.recovered(now, "an incomplete last line was cut off when the file was opened",
                    tail.partialLength(), tail.partialSha256());
            LOG.warn("audit sink {}: {} ended with an incomplete line ({} bytes, the gateway stopped while writing it);"
                    + " cut off and recorded at seq {}", name, path, tail.partialLength(), chain.lastSeq());
        }
        appendCheckpoint(now);
        flush();
        rotateAt = settings.rotateEvery() == null ? null : boundaryAfter(fileStarted);
    }

    private ChainLine lastLine(Path path, FileTail tail) throws IOException {
        byte[] line = tail.lastLine();
        String problem;
        try {
            ChainLine last = ChainLine.parse(line, line.length, sha256);
            if (last.intact()) {
                return last;
            }
            problem = "its hash does not match its content";
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        throw new IOException(path + ": the last complete line (ending at byte " + tail.completeLength()
                + ") is not a valid line of the audit chain (" + problem + "); check the file with"
                + " 'parapet audit verify' and move it aside for the sink to start a new file");
    }

    /** Cuts the live file to {@code length} bytes, when it is longer. */
    private void cut(Path path, long length) throws IOException {
        if (Files.exists(path) && Files.size(path) > length) {
            try (FileChannel writable = FileChannel.open(path, StandardOpenOption.WRITE)) {
                writable.truncate(length);
                writable.force(true);
            }
        }
    }

    private Set<String> eventIds(List<byte[]> lines) {
        Set<String> ids = new HashSet<>();
        for (byte[] line : lines) {
            try {
                if (ChainLine.parse(line, line.length, sha256).body() instanceof ChainLine.Event event && event.id() != null) {
                    ids.add(event.id());
                }
            } catch (IllegalArgumentException e) {
                // a damaged line's event cannot be told apart; verifying the file reports it
            }
        }
        return ids;
    }

    /** When the live file was started, from its first line ({@code start} or {@code rotated-from}). */
    private Instant firstLineTime(Path path, Instant otherwise) throws IOException {
        try (LineReader reader = new LineReader(path)) {
            if (reader.next() && reader.terminated()) {
                ChainLine first = ChainLine.parse(reader.bytes(), reader.length(), sha256);
                String time = switch (first.body()) {
                    case ChainLine.Start start -> start.time();
                    case ChainLine.RotatedFrom rotated -> rotated.time();
                    default -> null;
                };
                return time == null ? otherwise : Instant.parse(time);
            }
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            // an unreadable first line: count the file as started now
        }
        return otherwise;
    }

    private record Previous(Path file, ChainLine last, Set<String> eventIds) {
    }

    /** The rotated file holding the latest line of the chain, or null. */
    private Previous newestRotated() throws IOException {
        Path path = settings.path();
        String[] parts = stemAndExtension();
        Pattern rotated = Pattern.compile(Pattern.quote(parts[0]) + "-\\d{8}T\\d{6}Z(-\\d+)?" + Pattern.quote(parts[1]));
        Previous newest = null;
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(path.getParent())) {
            for (Path sibling : siblings) {
                if (!rotated.matcher(sibling.getFileName().toString()).matches()) {
                    continue;
                }
                FileTail tail = FileTail.read(sibling, 64 * 1024);
                if (!tail.hasLines()) {
                    continue;
                }
                try {
                    ChainLine last = lastLine(sibling, tail);
                    if (newest == null || last.seq() > newest.last().seq()) {
                        newest = new Previous(sibling, last, eventIds(tail.lines()));
                    }
                } catch (IOException e) {
                    LOG.warn("audit sink {}: not going on from {}: {}", name, sibling, e.getMessage());
                }
            }
        }
        return newest;
    }

    private void rotateIfDue(Instant now) throws IOException {
        boolean bySize = settings.maxSize() > 0 && size >= settings.maxSize();
        boolean byTime = rotateAt != null && !now.isBefore(rotateAt);
        if (!bySize && byTime && eventsInFile == 0) {
            rotateAt = boundaryAfter(now);
            return;
        }
        if (!bySize && !byTime) {
            return;
        }
        if (linesSinceCheckpoint > 0) {
            appendCheckpoint(now);
            flush();
        }
        sync();
        channel.close();
        channel = null;
        Path path = settings.path();
        Path rotated = rotatedName(now);
        Files.move(path, rotated, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory();
        channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        size = 0;
        eventsInFile = 0;
        chain.rotatedFrom(rotated.getFileName().toString(), now);
        linesSinceCheckpoint++;
        flush();
        sync();
        rotateAt = settings.rotateEvery() == null ? null : boundaryAfter(now);
        LOG.info("audit sink {}: rotated {} to {} ({})", name, path, rotated.getFileName(), bySize ? "size" : "time");
    }

    /** The live file's name with the time inserted before its extension: audit-20261125T173000Z.jsonl. */
    private Path rotatedName(Instant now) {
        String[] parts = stemAndExtension();
        String stamp = ROTATED_TIME.format(now);
        Path candidate = settings.path().resolveSibling(parts[0] + "-" + stamp + parts[1]);
        for (int n = 2; Files.exists(candidate); n++) {
            candidate = settings.path().resolveSibling(parts[0] + "-" + stamp + "-" + n + parts[1]);
        }
        return candidate;
    }

    private String[] stemAndExtension() {
        String file = settings.path().getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? new String[] {file.substring(0, dot), file.substring(dot)} : new String[] {file, ""};
    }

    /** Makes a rename durable; not every platform can open a directory, and there it is left to the OS. */
    private void syncDirectory() {
        try (FileChannel directory = FileChannel.open(settings.path().getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // the rename is still done; only its durability is up to the file system
        }
    }

    private Instant boundaryAfter(Instant time) {
        long period = settings.rotateEvery().toMillis();
        return Instant.ofEpochMilli((Math.floorDiv(time.toEpochMilli(), period) + 1) * period);
    }

    private boolean checkpointDue(Instant now) {
        return lastCheckpoint == null || Duration.between(lastCheckpoint, now).compareTo(settings.checkpointInterval()) >= 0;
    }

    private void appendCheckpoint(Instant now) {
        chain.checkpoint(now, settings.checkpointEvery());
        eventsSinceCheckpoint = 0;
        linesSinceCheckpoint = 0;
        lastCheckpoint = now;
    }

    /** Writes the lines appended so far and forces them to disk. */
    private void flush() throws IOException {
        int length = chain.length();
        if (length == 0) {
            return;
        }
        ByteBuffer out = ByteBuffer.wrap(chain.buffer(), 0, length);
        while (out.hasRemaining()) {
            channel.write(out);
        }
        size += length;
        chain.clear();
        unsynced = true;
        if (settings.fsyncInterval().isZero() || System.nanoTime() - lastSync >= settings.fsyncInterval().toNanos()) {
            sync();
        }
    }

    /** Forces what was written to disk (fdatasync: the data and the file's length, all a reader needs). */
    private void sync() throws IOException {
        if (unsynced && channel != null) {
            channel.force(false);
        }
        unsynced = false;
        lastSync = System.nanoTime();
    }

    /** Drops the unwritten lines and the open file; the next write opens the file again as a restart would. */
    private void abandon() {
        chain.clear();
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing after a failure: nothing more to save
            }
            channel = null;
        }
    }

    /** Makes file sinks. */
    public static final class Provider implements AuditSinkProvider {
        @Override
        public String type() {
            return "file";
        }

        @Override
        public AuditSink create(AuditSinkConfig config, AuditContext context) throws IOException {
            return open(config.name(), Settings.of(config), context, true);
        }
    }
}
