package dev.parapet.server;

import dev.parapet.config.ListenerConfig;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.BooleanSupplier;

/**
 * The admin HTTP listener: {@code /metrics} in Prometheus text format, {@code /healthz} (the
 * process is alive), {@code /readyz} (listening and not draining: send traffic here) and the
 * approval requests under {@code /api/approvals} ({@link ApprovalsApi}).
 */
final class AdminServer {

    private final ListenerConfig listener;
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;
    private final ApprovalsApi approvals;
    private final SlackActions slack;
    private Javalin app;

    /** {@code slack}: the Slack button endpoint, or null when Slack is not configured. */
    AdminServer(ListenerConfig listener, PrometheusMeterRegistry registry, BooleanSupplier ready, ApprovalsApi approvals,
            SlackActions slack) {
        this.listener = listener;
        this.registry = registry;
        this.ready = ready;
        this.approvals = approvals;
        this.slack = slack;
    }

    void start() {
        if (!listener.enabled()) {
            return;
        }
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = true;
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        app.get("/healthz", ctx -> ctx.result("ok\n"));
        app.get("/readyz", ctx -> {
            if (ready.getAsBoolean()) {
                ctx.result("ready\n");
            } else {
                ctx.status(503).result("not ready\n");
            }
        });
        approvals.register(app);
        if (slack != null) {
            slack.register(app);
        }
        app.start(listener.host(), listener.port());
    }

    int port() {
        return app == null ? -1 : app.port();
    }

    void stop() {
        if (app != null) {
            app.stop();
        }
    }
}
