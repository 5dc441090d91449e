package dev.parapet.server;

import dev.parapet.config.ConfigException;
import dev.parapet.core.StatementGate;
import dev.parapet.policy.PolicyEngine;
import dev.parapet.policy.PolicyLoader;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the policy file or folder and swaps the gateway's policy when it changes. The new
 * policy takes effect on the next statement of every session; a file that does not load keeps
 * the last good policy in force, and says why in the log.
 */
final class PolicyReloader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PolicyReloader.class);

    private final Path path;
    private final StatementGate gate;
    private final WatchService watcher;
    private final Thread thread;

    PolicyReloader(Path path, StatementGate gate) throws IOException {
        this.path = path.toAbsolutePath().normalize();
        this.gate = gate;
        this.watcher = FileSystems.getDefault().newWatchService();
        Path folder = Files.isDirectory(this.path) ? this.path : this.path.getParent();
        folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = Thread.ofVirtual().name("policy-reloader").start(this::run);
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                // Editors write in several steps: let them finish, then load once.
                Thread.sleep(200);
                while (watcher.poll(50, TimeUnit.MILLISECONDS) != null) {
                    // drain the burst
                }
                if (concernsPolicy(key.pollEvents())) {
                    reload();
                }
                if (!key.reset()) {
                    log.warn("policy folder of {} is gone: no more reloads", path);
                    return;
                }
            }
        } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
            // closing
        }
    }

    /**
     * Whether a change touched the policy: the policy file itself, or a YAML file of the policy
     * folder. Other files beside it (a log written next to a single policy file) do not reload it.
     */
    private boolean concernsPolicy(java.util.List<java.nio.file.WatchEvent<?>> events) {
        boolean folder = Files.isDirectory(path);
        for (var event : events) {
            if (!(event.context() instanceof Path changed)) {
                return true; // overflow: cannot tell what changed
            }
            String name = changed.getFileName().toString();
            if (folder ? name.endsWith(".yaml") || name.endsWith(".yml") : changed.getFileName().equals(path.getFileName())) {
                return true;
            }
        }
        return false;
    }

    void reload() {
        try {
            var rules = new PolicyLoader().load(path);
            gate.replace(new PolicyEngine(rules));
            log.info("policy reloaded from {}: {} rule(s) in force", path, rules.size());
        } catch (ConfigException e) {
            log.error("policy in {} did not load; the previous policy stays in force:\n{}", path, e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        watcher.close();
        thread.interrupt();
    }
}
