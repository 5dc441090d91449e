package dev.parapet.server;

import dev.parapet.core.Approvals;
import dev.parapet.core.AuthenticationException;
import dev.parapet.core.Credentials;
import dev.parapet.core.Identity;
import dev.parapet.core.IdentityResolver;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approval requests over HTTP, on the admin listener: {@code GET /api/approvals} lists the
 * pending ones, {@code POST /api/approvals/{id}/approve} and {@code .../reject} decide one. Every
 * call is authenticated the way a database login is: HTTP Basic with the user name and the token
 * (or dev password) as the password, or {@code Authorization: Bearer TOKEN} with the user in
 * {@code X-Parapet-User}. The statement's full text is shown only to those who may decide.
 */
final class ApprovalsApi {

    private static final Logger log = LoggerFactory.getLogger(ApprovalsApi.class);

    private final Approvals approvals;
    private final IdentityResolver identities;

    ApprovalsApi(Approvals approvals, IdentityResolver identities) {
        this.approvals = approvals;
        this.identities = identities;
    }

    void register(Javalin app) {
        app.get("/api/approvals", ctx -> {
            Identity caller = caller(ctx);
            if (caller == null) {
                return;
            }
            List<Map<String, Object>> out = new ArrayList<>();
            for (Approvals.Request request : approvals.pending()) {
                out.add(describe(request, mayDecide(request, caller)));
            }
            ctx.json(out);
        });
        app.post("/api/approvals/{id}/approve", ctx -> decide(ctx, true));
        app.post("/api/approvals/{id}/reject", ctx -> decide(ctx, false));
    }

    private void decide(Context ctx, boolean approve) {
        Identity caller = caller(ctx);
        if (caller == null) {
            return;
        }
        String id = ctx.pathParam("id");
        try {
            Approvals.Request request;
            if (approve) {
                request = approvals.approve(id, caller);
            } else {
                String reason = ctx.queryParam("reason");
                if (reason == null && !ctx.body().isBlank()) {
                    Object parsed = ctx.bodyAsClass(Map.class).get("reason");
                    reason = parsed == null ? null : parsed.toString();
                }
                request = approvals.reject(id, caller, reason);
            }
            log.info("approval request {} {} by {}", id, approve ? "approved" : "rejected", caller.label());
            ctx.json(describe(request, true));
        } catch (Approvals.RefusedDecision refused) {
            ctx.status(refused.status()).json(Map.of("error", refused.getMessage()));
        }
    }

    private static boolean mayDecide(Approvals.Request request, Identity caller) {
        return (request.terms().approvers().isEmpty() || request.terms().approvers().stream().anyMatch(caller::inGroup))
                && (request.terms().selfApproval() || !caller.subject().equals(request.requester().subject()));
    }

    private static Map<String, Object> describe(Approvals.Request request, boolean fullText) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", request.id());
        out.put("state", request.state());
        out.put("rule", request.ruleId());
        out.put("reason", request.reason());
        out.put("mode", request.terms().mode().name().toLowerCase(java.util.Locale.ROOT));
        out.put("requester", request.requester().label());
        out.put("target", request.target());
        out.put("environment", request.environment());
        out.put("statement", request.redactedText());
        if (fullText) {
            out.put("full-statement", request.fullText());
        }
        request.estimatedRows().ifPresent(rows -> out.put("estimated-rows", rows));
        out.put("created", request.created().toString());
        out.put("expires", request.expires().toString());
        out.put("approvals-needed", request.terms().approvals());
        out.put("approved-by", request.approvedBy());
        out.put("approvers", request.terms().approvers().stream().sorted().toList());
        return out;
    }

    /** The authenticated caller, or null after answering 401. */
    private Identity caller(Context ctx) {
        String header = ctx.header("Authorization");
        String user = null;
        String secret = null;
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                decoded = "";
            }
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                user = decoded.substring(0, colon);
                secret = decoded.substring(colon + 1);
            }
        } else if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            secret = header.substring(7).trim();
            user = ctx.header("X-Parapet-User");
        }
        if (secret == null || secret.isEmpty()) {
            ctx.header("WWW-Authenticate", "Basic realm=\"parapet\"").status(401)
                    .json(Map.of("error", "authenticate as for a database login: Basic user:token, or Bearer token with X-Parapet-User"));
            return null;
        }
        try {
            return identities.resolve(new Credentials(user, secret,
                    new InetSocketAddress(ctx.ip(), 0), ctx.scheme().equals("https")));
        } catch (AuthenticationException e) {
            ctx.status(401).json(Map.of("error", e.getMessage()));
            return null;
        }
    }
}
