package dev.parapet.core;

import dev.parapet.policy.ApprovalTerms;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Approval requests for statements a rule holds for a person's decision, kept in this gateway's
 * memory. A held statement waits on {@link Request#outcome()}, a future completed when enough
 * approvers approved, one rejected, or the request expired; nothing blocks meanwhile. An approved
 * ticket lets its requester run the same statement text on the same target once, within the
 * rule's ticket window.
 */
public final class Approvals implements AutoCloseable {

    /** What became of a request. */
    public sealed interface Outcome {
        record Approved(List<String> approvers) implements Outcome {
        }

        record Rejected(String by, String why) implements Outcome {
        }

        record Expired(Instant at) implements Outcome {
        }

        /** The requester went away or canceled the statement: there is nothing left to approve. */
        record Withdrawn(String why) implements Outcome {
        }
    }

    /** Why an approver's decision was not taken. */
    public static final class RefusedDecision extends Exception {
        private final int status;

        RefusedDecision(int status, String message) {
            super(message);
            this.status = status;
        }

        /** The HTTP status that fits: 404 unknown, 403 not allowed, 409 already decided. */
        public int status() {
            return status;
        }
    }

    /** One request. Its decision state changes under the request's own lock. */
    public static final class Request {
        private final String id;
        private final Instant created;
        private final Instant expires;
        private final String ruleId;
        private final String reason;
        private final ApprovalTerms terms;
        private final Identity requester;
        private final String target;
        private final String environment;
        private final String redactedText;
        private final String fullText;
        private final Set<String> approvedBy = new LinkedHashSet<>();
        private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        private volatile boolean used;
        private volatile Long estimatedRows;

        Request(String id, Instant created, String ruleId, String reason, ApprovalTerms terms, Identity requester,
                String target, String environment, String redactedText, String fullText) {
            this.id = id;
            this.created = created;
            this.expires = created.plus(terms.expiresAfter());
            this.ruleId = ruleId;
            this.reason = reason;
            this.terms = terms;
            this.requester = requester;
            this.target = target;
            this.environment = environment;
            this.redactedText = redactedText;
            this.fullText = fullText;
        }

        public String id() {
            return id;
        }

        public Instant created() {
            return created;
        }

        public Instant expires() {
            return expires;
        }

        public String ruleId() {
            return ruleId;
        }

        public String reason() {
            return reason;
        }

        public ApprovalTerms terms() {
            return terms;
        }

        public Identity requester() {
            return requester;
        }

        public String target() {
            return target;
        }

        public String environment() {
            return environment;
        }

        public String redactedText() {
            return redactedText;
        }

        public String fullText() {
            return fullText;
        }

        /** The planner's row estimate for the statement, when the rule asked for one and the database gave it. */
        public Optional<Long> estimatedRows() {
            return Optional.ofNullable(estimatedRows);
        }

        void estimatedRows(long rows) {
            estimatedRows = rows;
        }

        public synchronized List<String> approvedBy() {
            return List.copyOf(approvedBy);
        }

        /** A request read back from the store: its decision as stored. */
        void restore(String state, List<String> approved, String decidedBy, String why, Instant expiredAt, boolean wasUsed) {
            synchronized (this) {
                approvedBy.addAll(approved);
            }
            used = wasUsed;
            switch (state) {
                case "approved" -> outcome.complete(new Outcome.Approved(List.copyOf(approved)));
                case "rejected" -> outcome.complete(new Outcome.Rejected(decidedBy, why == null ? "no reason given" : why));
                case "expired" -> outcome.complete(new Outcome.Expired(expiredAt));
                case "withdrawn" -> outcome.complete(new Outcome.Withdrawn(why == null ? "withdrawn" : why));
                default -> { }
            }
        }

        /** Completed with the decision; never completed exceptionally. */
        public CompletableFuture<Outcome> outcome() {
            return outcome;
        }

        public String state() {
            Outcome done = outcome.getNow(null);
            return switch (done) {
                case null -> "pending";
                case Outcome.Approved a -> "approved";
                case Outcome.Rejected r -> "rejected";
                case Outcome.Expired e -> "expired";
                case Outcome.Withdrawn w -> "withdrawn";
            };
        }
    }

    /** Analyses a request's statement for the approvers' condition, which may look at it. */
    private static final dev.parapet.policy.SqlAnalyzer ANALYZER = new dev.parapet.policy.SqlAnalyzer(dev.parapet.policy.Dialect.POSTGRES);

    private final Clock clock;
    private final Map<String, Request> requests = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().daemon().name("parapet-approvals").unstarted(task));

    private final ApprovalNotifier notifier;
    /** Where requests are shared with other replicas; null: this gateway's memory only. */
    private final ApprovalStore store;
    /** Approved, unused tickets in the store, as last read. */
    private volatile List<Request> storedTickets = List.of();

    public Approvals(Clock clock, ApprovalNotifier notifier) {
        this(clock, notifier, null);
    }

    /**
     * With {@code storeConfig}, requests live in PostgreSQL and every decision goes through it; a
     * thread of this gateway reads the decisions on the requests it holds statements for (every
     * 250 ms) and the usable tickets.
     */
    public Approvals(Clock clock, ApprovalNotifier notifier, dev.parapet.config.ApprovalStoreConfig storeConfig) {
        this.clock = clock;
        this.notifier = notifier;
        try {
            this.store = storeConfig == null ? null : new ApprovalStore(storeConfig);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot open the approval store " + storeConfig.url() + ": " + e.getMessage(), e);
        }
        timer.scheduleWithFixedDelay(this::forgetOld, 1, 1, TimeUnit.MINUTES);
        if (store != null) {
            timer.scheduleWithFixedDelay(this::readStore, 250, 250, TimeUnit.MILLISECONDS);
        }
        if (notifier != null) {
            notifier.jira().ifPresent(jira -> jira.start(this));
        }
    }

    /** Completes the held requests decided through other replicas, and refreshes the usable tickets. */
    private void readStore() {
        try {
            List<String> waiting = new ArrayList<>();
            for (Request request : requests.values()) {
                if (!request.outcome.isDone()) {
                    waiting.add(request.id);
                }
            }
            for (Request decided : store.decided(waiting).values()) {
                Request local = requests.get(decided.id);
                if (local != null) {
                    synchronized (local) {
                        local.approvedBy.addAll(decided.approvedBy());
                    }
                    local.outcome.complete(decided.outcome.getNow(null));
                }
            }
            List<Request> usable = store.usableTickets(clock.instant());
            Set<String> usableIds = new java.util.HashSet<>();
            usable.forEach(t -> usableIds.add(t.id));
            for (Request local : requests.values()) {
                if (local.terms.mode() == ApprovalTerms.Mode.TICKET && local.outcome.getNow(null) instanceof Outcome.Approved
                        && !usableIds.contains(local.id)) {
                    local.used = true; // used through another replica, or out of its window
                }
            }
            storedTickets = usable;
        } catch (java.sql.SQLException | RuntimeException e) {
            log.warn("cannot read the approval store: {}", e.toString());
        }
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Approvals.class);

    /** Runs a write to the store off the caller's thread. */
    private void later(String what, StoreWrite write) {
        if (store == null) {
            return;
        }
        Thread.ofVirtual().name("approval-store").start(() -> {
            try {
                write.run();
            } catch (java.sql.SQLException | RuntimeException e) {
                log.warn("approval store: {} failed: {}", what, e.toString());
            }
        });
    }

    private interface StoreWrite {
        void run() throws java.sql.SQLException;
    }

    private static RefusedDecision unavailable(java.sql.SQLException e) {
        return new RefusedDecision(503, "the approval store cannot be reached: " + e.getMessage());
    }

    /** Tells approvers of new requests. */
    public ApprovalNotifier notifier() {
        return notifier;
    }

    /** Attaches the planner's estimate to a request (and to its stored copy). */
    public void estimated(Request request, long rows) {
        request.estimatedRows(rows);
        later("storing the estimate of request " + request.id, () -> store.estimate(request.id, rows));
    }

    /** {@code requester}'s ticket request for exactly {@code text} on {@code target} still waiting for a decision, if any. */
    public Optional<Request> pendingTicket(Identity requester, String target, String text) {
        for (Request request : requests.values()) {
            if (!request.outcome.isDone() && request.terms.mode() == ApprovalTerms.Mode.TICKET
                    && request.requester.subject().equals(requester.subject()) && request.target.equals(target)
                    && request.fullText.equals(text)) {
                return Optional.of(request);
            }
        }
        return Optional.empty();
    }

    /** Opens a request; it expires by itself after the rule's {@code expires-after}. */
    public Request open(String ruleId, String reason, ApprovalTerms terms, Identity requester, String target,
            String environment, String redactedText, String fullText) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Request request = new Request(id, clock.instant(), ruleId, reason, terms, requester, target, environment,
                redactedText, fullText);
        requests.put(id, request);
        later("storing request " + id, () -> store.insert(request));
        timer.schedule(() -> {
            if (request.outcome.complete(new Outcome.Expired(request.expires))) {
                later("expiring request " + id, () -> store.end(id, "expired", null));
            }
        }, terms.expiresAfter().toMillis(), TimeUnit.MILLISECONDS);
        return request;
    }

    public Optional<Request> find(String id) {
        if (store != null) {
            try {
                return store.load(id);
            } catch (java.sql.SQLException e) {
                log.warn("cannot read the approval store: {}", e.toString());
            }
        }
        return Optional.ofNullable(requests.get(id));
    }

    /** Requests not decided yet, oldest first. */
    public List<Request> pending() {
        if (store != null) {
            try {
                return store.pending(clock.instant());
            } catch (java.sql.SQLException e) {
                log.warn("cannot read the approval store, listing this gateway's requests only: {}", e.toString());
            }
        }
        List<Request> out = new ArrayList<>();
        for (Request request : requests.values()) {
            if (!request.outcome.isDone()) {
                out.add(request);
            }
        }
        out.sort(Comparator.comparing(Request::created));
        return Collections.unmodifiableList(out);
    }

    /** {@code approver}'s approval; the request is approved once enough different approvers gave theirs. */
    public Request approve(String id, Identity approver) throws RefusedDecision {
        if (store != null) {
            return decideInStore(id, approver, true, null);
        }
        Request request = decidable(id, approver);
        synchronized (request) {
            request.approvedBy.add(approver.label());
            if (request.approvedBy.size() >= request.terms.approvals()) {
                request.outcome.complete(new Outcome.Approved(List.copyOf(request.approvedBy)));
            }
        }
        return request;
    }

    public Request reject(String id, Identity approver, String why) throws RefusedDecision {
        if (store != null) {
            return decideInStore(id, approver, false, why);
        }
        Request request = decidable(id, approver);
        request.outcome.complete(new Outcome.Rejected(approver.label(), why == null || why.isBlank() ? "no reason given" : why));
        return request;
    }

    private Request decideInStore(String id, Identity approver, boolean approve, String why) throws RefusedDecision {
        Request stored;
        try {
            stored = store.decide(id, approver, approve, why, clock.instant());
        } catch (java.sql.SQLException e) {
            throw unavailable(e);
        }
        Request local = requests.get(id);
        if (local != null && stored.outcome.isDone()) {
            synchronized (local) {
                local.approvedBy.addAll(stored.approvedBy());
            }
            local.outcome.complete(stored.outcome.getNow(null));
        }
        return stored;
    }

    /** Withdraws a pending request (its requester canceled or left); nothing happens to a decided one. */
    public void withdraw(String id, String why) {
        Request request = requests.get(id);
        if (request != null && request.outcome.complete(new Outcome.Withdrawn(why))) {
            later("withdrawing request " + id, () -> store.end(id, "withdrawn", why));
        }
    }

    private Request decidable(String id, Identity approver) throws RefusedDecision {
        Request request = requests.get(id);
        if (request == null) {
            throw new RefusedDecision(404, "no approval request " + id);
        }
        checkDecidable(request, approver);
        return request;
    }

    /** Whether {@code approver} may decide {@code request} now; throws why not. */
    static void checkDecidable(Request request, Identity approver) throws RefusedDecision {
        String id = request.id;
        if (request.outcome.isDone()) {
            throw new RefusedDecision(409, "request " + id + " is " + request.state() + " already");
        }
        if (!request.terms.approvers().isEmpty() && request.terms.approvers().stream().noneMatch(approver::inGroup)) {
            throw new RefusedDecision(403, approver.label() + " is not an approver for rule " + request.ruleId
                    + " (approvers: " + String.join(", ", new java.util.TreeSet<>(request.terms.approvers())) + ")");
        }
        if (request.terms.approversWhen() != dev.parapet.policy.Condition.ALWAYS && !request.terms.approversWhen().holdsFor(
                new dev.parapet.policy.PolicyRequest(StatementGate.principal(approver), request.target, request.environment,
                        dev.parapet.policy.Dialect.POSTGRES, ANALYZER.analyze(request.fullText)), Clock.systemUTC(), false)) {
            throw new RefusedDecision(403, approver.label() + " does not meet the approvers' condition of rule " + request.ruleId
                    + ": " + request.terms.approversWhen().source());
        }
        if (!request.terms.selfApproval() && approver.subject().equals(request.requester.subject())) {
            throw new RefusedDecision(403, "requests cannot be approved or rejected by whoever made them (rule "
                    + request.ruleId + ")");
        }
        synchronized (request) {
            if (request.approvedBy.contains(approver.label())) {
                throw new RefusedDecision(409, approver.label() + " approved request " + id + " already");
            }
        }
    }

    /**
     * An approved, unused ticket of {@code who} for exactly {@code text} on {@code target}, still
     * within its window: taken (it runs once).
     */
    public Optional<Request> redeem(Identity who, String target, String text) {
        return redeem(who, target, text, null);
    }

    /**
     * As {@link #redeem(Identity, String, String)}; {@code fingerprint} (the statement with its
     * literals set aside) matches tickets whose rule says {@code ticket-match: fingerprint}. A
     * ticket with {@code ticket-uses: window} runs as often as asked within its window.
     */
    public Optional<Request> redeem(Identity who, String target, String text, String fingerprint) {
        Instant now = clock.instant();
        List<Request> candidates = new ArrayList<>(requests.values());
        if (store != null) {
            candidates.addAll(storedTickets);
        }
        for (Request request : candidates) {
            if (request.terms.mode() == ApprovalTerms.Mode.TICKET && !request.used
                    && request.outcome.getNow(null) instanceof Outcome.Approved
                    && request.requester.subject().equals(who.subject()) && request.target.equals(target)
                    && (request.terms.ticketMatch() == ApprovalTerms.TicketMatch.FINGERPRINT
                            ? fingerprint != null && request.redactedText.equals(fingerprint) : request.fullText.equals(text))
                    && now.isBefore(request.created.plus(request.terms.ticketWindow()))) {
                if (request.terms.ticketReuse()) {
                    return Optional.of(request);
                }
                synchronized (request) {
                    if (!request.used) {
                        request.used = true;
                        markUsed(request.id);
                        return Optional.of(request);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Marks a ticket used here and in the store (other replicas see it at their next read). */
    private void markUsed(String id) {
        Request local = requests.get(id);
        if (local != null) {
            local.used = true;
        }
        for (Request stored : storedTickets) {
            if (stored.id.equals(id)) {
                stored.used = true;
            }
        }
        later("using ticket " + id, () -> store.use(id));
    }

    private void forgetOld() {
        Instant cutoff = clock.instant().minus(java.time.Duration.ofDays(1));
        requests.values().removeIf(r -> r.outcome.isDone() && r.expires.isBefore(cutoff)
                && r.created.plus(r.terms.ticketWindow()).isBefore(cutoff));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (notifier != null) {
            notifier.jira().ifPresent(JiraApprovals::close);
        }
        if (store != null) {
            store.close();
        }
    }
}
