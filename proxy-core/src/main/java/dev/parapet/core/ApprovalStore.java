package dev.parapet.core;

import dev.parapet.config.ApprovalStoreConfig;
import dev.parapet.policy.ApprovalTerms;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Approval requests in a PostgreSQL table, so that gateway replicas share them: every decision is
 * made in a transaction that locks the request's row, whichever replica it comes through. Calls
 * block; the gateway makes them off its event loops. One connection, reopened after a failure;
 * calls are serialised.
 */
final class ApprovalStore implements AutoCloseable {

    private final String url;
    private final Properties properties = new Properties();
    private final String table;
    private Connection connection;

    ApprovalStore(ApprovalStoreConfig config) throws SQLException {
        this.url = config.url();
        if (config.user() != null) {
            properties.setProperty("user", config.user());
        }
        if (config.password() != null) {
            properties.setProperty("password", config.password().reveal());
        }
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "10");
        this.table = config.table();
        try (Statement st = connection().createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + table + " (id text PRIMARY KEY, created timestamptz NOT NULL,"
                    + " expires timestamptz NOT NULL, rule text NOT NULL, reason text NOT NULL, mode text NOT NULL,"
                    + " approvers text[] NOT NULL, self_approval boolean NOT NULL, approvals_needed int NOT NULL,"
                    + " ticket_window_seconds bigint NOT NULL, requester_subject text NOT NULL, requester_name text,"
                    + " requester_email text, requester_groups text[], requester_kind text, requester_issuer text,"
                    + " target text NOT NULL, environment text, redacted_text text, full_text text,"
                    + " state text NOT NULL, approved_by text[] NOT NULL DEFAULT '{}', decided_by text, why text,"
                    + " used boolean NOT NULL DEFAULT false, approvers_when text)");
            st.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS approvers_when text");
            st.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS estimated_rows bigint");
            st.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS ticket_match text");
            st.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS ticket_reuse boolean NOT NULL DEFAULT false");
            st.execute("CREATE INDEX IF NOT EXISTS " + table.replace('.', '_') + "_state_idx ON " + table + " (state, created)");
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, properties);
        }
        return connection;
    }

    private void drop() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // dropping a connection that failed
        }
        connection = null;
    }

    synchronized void insert(Approvals.Request r) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement("INSERT INTO " + table + " (id, created, expires, rule,"
                + " reason, mode, approvers, self_approval, approvals_needed, ticket_window_seconds, requester_subject,"
                + " requester_name, requester_email, requester_groups, requester_kind, requester_issuer, target, environment,"
                + " redacted_text, full_text, approvers_when, ticket_match, ticket_reuse, state)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'pending')"
                + " ON CONFLICT (id) DO NOTHING")) {
            Connection c = ps.getConnection();
            ps.setString(1, r.id());
            ps.setTimestamp(2, Timestamp.from(r.created()));
            ps.setTimestamp(3, Timestamp.from(r.expires()));
            ps.setString(4, r.ruleId());
            ps.setString(5, r.reason());
            ps.setString(6, r.terms().mode().name().toLowerCase(Locale.ROOT));
            ps.setArray(7, c.createArrayOf("text", r.terms().approvers().toArray()));
            ps.setBoolean(8, r.terms().selfApproval());
            ps.setInt(9, r.terms().approvals());
            ps.setLong(10, r.terms().ticketWindow().toSeconds());
            Identity who = r.requester();
            ps.setString(11, who.subject());
            ps.setString(12, who.name());
            ps.setString(13, who.email());
            ps.setArray(14, c.createArrayOf("text", who.groups().toArray()));
            ps.setString(15, who.kind().name());
            ps.setString(16, who.issuer());
            ps.setString(17, r.target());
            ps.setString(18, r.environment());
            ps.setString(19, r.redactedText());
            ps.setString(20, r.fullText());
            ps.setString(21, r.terms().approversWhen().source());
            ps.setString(22, r.terms().ticketMatch().name());
            ps.setBoolean(23, r.terms().ticketReuse());
            ps.executeUpdate();
        } catch (SQLException e) {
            drop();
            throw e;
        }
    }

    /**
     * One approver's decision, in a transaction holding the request's row: checked against the
     * request's terms as {@link Approvals} checks them, then written.
     */
    synchronized Approvals.Request decide(String id, Identity approver, boolean approve, String why, Instant now)
            throws SQLException, Approvals.RefusedDecision {
        Connection c = connection();
        c.setAutoCommit(false);
        try {
            Approvals.Request request;
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " WHERE id = ? FOR UPDATE")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new Approvals.RefusedDecision(404, "no approval request " + id);
                    }
                    request = request(rs);
                }
            }
            if (request.state().equals("pending") && !now.isBefore(request.expires())) {
                update(c, id, "expired", null, null, request.approvedBy());
                c.commit();
                throw new Approvals.RefusedDecision(409, "request " + id + " is expired already");
            }
            Approvals.checkDecidable(request, approver);
            List<String> approvedBy = new ArrayList<>(request.approvedBy());
            String state = "pending";
            if (approve) {
                approvedBy.add(approver.label());
                if (approvedBy.size() >= request.terms().approvals()) {
                    state = "approved";
                }
                update(c, id, state, state.equals("approved") ? String.join(", ", approvedBy) : null, null, approvedBy);
            } else {
                state = "rejected";
                update(c, id, state, approver.label(), why == null || why.isBlank() ? "no reason given" : why, approvedBy);
            }
            c.commit();
            return load(id).orElseThrow();
        } catch (SQLException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is dropped next
            }
            drop();
            throw e;
        } catch (Approvals.RefusedDecision e) {
            c.rollback();
            throw e;
        } finally {
            if (connection != null) {
                connection.setAutoCommit(true);
            }
        }
    }

    private void update(Connection c, String id, String state, String decidedBy, String why, List<String> approvedBy)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table
                + " SET state = ?, decided_by = ?, why = ?, approved_by = ? WHERE id = ?")) {
            ps.setString(1, state);
            ps.setString(2, decidedBy);
            ps.setString(3, why);
            ps.setArray(4, c.createArrayOf("text", approvedBy.toArray()));
            ps.setString(5, id);
            ps.executeUpdate();
        }
    }

    synchronized void estimate(String id, long rows) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement("UPDATE " + table + " SET estimated_rows = ? WHERE id = ?")) {
            ps.setLong(1, rows);
            ps.setString(2, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            drop();
            throw e;
        }
    }

    /** Ends a pending request as {@code state} (withdrawn, expired); a decided one stays as it is. */
    synchronized void end(String id, String state, String why) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement("UPDATE " + table
                + " SET state = ?, why = ? WHERE id = ? AND state = 'pending'")) {
            ps.setString(1, state);
            ps.setString(2, why);
            ps.setString(3, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            drop();
            throw e;
        }
    }

    synchronized Optional<Approvals.Request> load(String id) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement("SELECT * FROM " + table + " WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(request(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            drop();
            throw e;
        }
    }

    synchronized List<Approvals.Request> pending(Instant now) throws SQLException {
        return query("SELECT * FROM " + table + " WHERE state = 'pending' AND expires > ? ORDER BY created", now);
    }

    /** Approved tickets not used yet and still within their window. */
    synchronized List<Approvals.Request> usableTickets(Instant now) throws SQLException {
        return query("SELECT * FROM " + table + " WHERE mode = 'ticket' AND state = 'approved' AND NOT used"
                + " AND created + make_interval(secs => ticket_window_seconds) > ?", now);
    }

    private List<Approvals.Request> query(String sql, Instant now) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement(sql)) {
            ps.setTimestamp(1, Timestamp.from(now));
            List<Approvals.Request> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(request(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            drop();
            throw e;
        }
    }

    /** The states of {@code ids} that are no longer pending. */
    synchronized Map<String, Approvals.Request> decided(Collection<String> ids) throws SQLException {
        Map<String, Approvals.Request> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = connection().prepareStatement("SELECT * FROM " + table
                + " WHERE id = ANY (?) AND state <> 'pending'")) {
            ps.setArray(1, ps.getConnection().createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Approvals.Request request = request(rs);
                    out.put(request.id(), request);
                }
            }
            return out;
        } catch (SQLException e) {
            drop();
            throw e;
        }
    }

    /** Takes a ticket: true for the one replica that marks it used. */
    synchronized boolean use(String id) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement("UPDATE " + table + " SET used = true WHERE id = ? AND NOT used")) {
            ps.setString(1, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            drop();
            throw e;
        }
    }

    private static Approvals.Request request(ResultSet rs) throws SQLException {
        Instant created = rs.getTimestamp("created").toInstant();
        Instant expires = rs.getTimestamp("expires").toInstant();
        ApprovalTerms terms = new ApprovalTerms(ApprovalTerms.Mode.valueOf(rs.getString("mode").toUpperCase(Locale.ROOT)),
                Set.copyOf(strings(rs.getArray("approvers"))), rs.getBoolean("self_approval"), rs.getInt("approvals_needed"),
                Duration.between(created, expires), Duration.ofSeconds(rs.getLong("ticket_window_seconds")),
                condition(rs.getString("approvers_when")), false,
                ApprovalTerms.TicketMatch.valueOf(Optional.ofNullable(rs.getString("ticket_match")).orElse("TEXT")),
                rs.getBoolean("ticket_reuse"));
        Identity requester = new Identity(rs.getString("requester_subject"), rs.getString("requester_name"),
                rs.getString("requester_email"), new LinkedHashSet<>(strings(rs.getArray("requester_groups"))),
                rs.getString("requester_kind") == null ? Identity.Kind.HUMAN : Identity.Kind.valueOf(rs.getString("requester_kind")),
                rs.getString("requester_issuer"), Map.of());
        Approvals.Request request = new Approvals.Request(rs.getString("id"), created, rs.getString("rule"), rs.getString("reason"),
                terms, requester, rs.getString("target"), rs.getString("environment"), rs.getString("redacted_text"),
                rs.getString("full_text"));
        List<String> approvedBy = strings(rs.getArray("approved_by"));
        long estimate = rs.getLong("estimated_rows");
        if (!rs.wasNull()) {
            request.estimatedRows(estimate);
        }
        request.restore(rs.getString("state"), approvedBy, rs.getString("decided_by"), rs.getString("why"), expires,
                rs.getBoolean("used"));
        return request;
    }

    /** The approvers' condition as stored; one that no longer compiles lets nobody approve. */
    private static dev.parapet.policy.Condition condition(String source) {
        if (source == null || source.isBlank()) {
            return dev.parapet.policy.Condition.ALWAYS;
        }
        try {
            return dev.parapet.policy.Condition.compile(source);
        } catch (dev.parapet.policy.InvalidConditionException e) {
            try {
                return dev.parapet.policy.Condition.compile("false");
            } catch (dev.parapet.policy.InvalidConditionException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        Object[] values = (Object[]) array.getArray();
        return Arrays.stream(values).map(String::valueOf).toList();
    }

    @Override
    public synchronized void close() {
        drop();
    }
}
