package dev.parapet.server;

import dev.parapet.config.ConfigException;
import dev.parapet.config.ConfigLoader;
import dev.parapet.config.ParapetConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code parapet} command line. Exit codes: 0 success, 1 failure at run time, 2 bad usage or configuration. */
@Command(name = "parapet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Identity-aware database gateway for PostgreSQL and MySQL/MariaDB.",
        subcommands = {Main.Serve.class, Main.ConfigCommand.class, PolicyCommand.class, AuditCommand.class, ApprovalsCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static final int FAILED = 1;
    public static final int INVALID = 2;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExitCodeExceptionMapper(e -> FAILED)
                .setParameterExceptionHandler((e, args) -> {
                    e.getCommandLine().getErr().println(e.getMessage());
                    e.getCommandLine().usage(e.getCommandLine().getErr());
                    return INVALID;
                });
    }

    /** Loads and validates a configuration file, printing every error; null when it is invalid. */
    static ParapetConfig loadOrReport(Path file) {
        try {
            return new ConfigLoader().load(file);
        } catch (ConfigException e) {
            e.errors().forEach(error -> System.err.println(error));
            return null;
        }
    }

    /** Runs a gateway until SIGTERM or SIGINT, then drains it and returns 0. */
    static int runUntilSignalled(ParapetConfig config) throws Exception {
        Logging.configure(config.logging());
        GatewayServer server = new GatewayServer(config);
        CountDownLatch signalled = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> signalled.countDown());
        }
        server.start();
        signalled.await();
        server.stop(config.shutdown().grace());
        return 0;
    }

    @Command(name = "serve", description = "Run the gateway with a configuration file.")
    static final class Serve implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "The YAML configuration file.")
        Path config;

        @Override
        public Integer call() throws Exception {
            ParapetConfig loaded = loadOrReport(config);
            return loaded == null ? INVALID : runUntilSignalled(loaded);
        }
    }

    @Command(name = "config", description = "Work with configuration files.",
            subcommands = {ConfigCheck.class, CommandLine.HelpCommand.class})
    static final class ConfigCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.err);
        }
    }

    @Command(name = "check", description = "Validate a configuration file; print each error with its file and line.")
    static final class ConfigCheck implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The YAML configuration file.")
        Path file;

        @Override
        public Integer call() {
            ParapetConfig loaded = loadOrReport(file);
            if (loaded == null) {
                return INVALID;
            }
            System.out.println(file + ": OK (" + loaded.targets().size() + " target(s))");
            return 0;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"parapet " + (version == null ? "development build" : version)};
        }
    }
}
