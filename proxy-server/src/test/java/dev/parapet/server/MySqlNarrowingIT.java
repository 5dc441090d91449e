package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A deny-columns rule with {@code select-star: narrow} over MySQL: a text-protocol {@code SELECT *}
 * comes back without the hidden column (its definition and every row's cell), masked as usual;
 * naming the column is refused; a result whose columns' origins are unknown, or a prepared
 * statement (its columns were announced at prepare), is refused rather than shown.
 */
class MySqlNarrowingIT {

    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = MySqlFixture.start(MySqlFixture.policies("mysql-narrowing", """
                rules:
                  - id: no-phones-for-analysts
                    kind: deny-columns
                    columns: [customers.phone]
                    select-star: narrow
                    groups: [analysts]
                  - id: mask-personal-data
                    kind: mask
                    clear-for: [dba]
                """), null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop();
        GatewayFixture.assertNoLeaks();
    }

    private static List<String> labels(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            out.add(meta.getColumnLabel(i));
        }
        return out;
    }

    @Test
    void selectStarLosesTheHiddenColumnAndStaysMasked() throws Exception {
        String clearPhone = MySqlFixture.query(MySqlFixture.direct(), "select phone from customers where id = 1").replace("|\n", "");
        String clearEmail = MySqlFixture.query(MySqlFixture.direct(), "select email from customers where id = 1").replace("|\n", "");
        try (Connection alice = MySqlFixture.mariadb(gateway, "alice", "sslMode=trust"); Statement st = alice.createStatement();
             ResultSet rs = st.executeQuery("select * from customers where id = 1")) {
            List<String> labels = labels(rs);
            assertThat(labels).contains("id", "email", "full_name").doesNotContain("phone");
            assertThat(rs.next()).isTrue();
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= labels.size(); i++) {
                row.append(rs.getString(i)).append('|');
            }
            assertThat(row.toString()).doesNotContain(clearPhone).doesNotContain(clearEmail).contains("@");
            assertThat(rs.getInt("id")).isEqualTo(1);
        }
        try (Connection bob = MySqlFixture.mariadb(gateway, "bob", "sslMode=trust"); Statement st = bob.createStatement();
             ResultSet rs = st.executeQuery("select * from customers where id = 1")) {
            assertThat(labels(rs)).as("the rule is for analysts only").contains("phone");
        }
    }

    @Test
    void namingTheColumnOrHidingItBehindADerivedTableOrAPreparedStatementIsRefused() throws Exception {
        try (Connection alice = MySqlFixture.mariadb(gateway, "alice", "sslMode=trust"); Statement st = alice.createStatement()) {
            SQLException named = catchThrowableOfType(SQLException.class, () -> st.executeQuery("select phone from customers"));
            assertThat(named.getErrorCode()).isEqualTo(1142);
            assertThat(named.getMessage()).contains("no-phones-for-analysts");
            // through a derived table MariaDB names the alias as the columns' origin: refused, never shown
            String clearPhone = MySqlFixture.query(MySqlFixture.direct(), "select phone from customers where id = 2")
                    .replace("|\n", "");
            SQLException derived = catchThrowableOfType(SQLException.class, () -> {
                try (ResultSet rs = st.executeQuery("select * from (select * from customers) d where id = 2")) {
                    StringBuilder row = new StringBuilder(String.join("|", labels(rs)));
                    while (rs.next()) {
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            row.append(rs.getString(i)).append('|');
                        }
                    }
                    assertThat(row.toString()).doesNotContain("phone").doesNotContain(clearPhone);
                }
            });
            if (derived != null) {
                assertThat(derived.getErrorCode()).isIn(1142, 1143);
            }
            // a computed column's origin is unknown: the result is refused, not shown
            SQLException computed = catchThrowableOfType(SQLException.class,
                    () -> st.executeQuery("select *, concat('x', 'y') from customers").next());
            assertThat(computed.getErrorCode()).isIn(1142, 1143);
            assertThat(MySqlFixture.query(alice, "select 1")).as("the session goes on").isEqualTo("1|\n");
        }
        try (Connection alice = MySqlFixture.mariadb(gateway, "alice", "sslMode=trust&useServerPrepStmts=true")) {
            SQLException prepared = catchThrowableOfType(SQLException.class, () -> {
                try (var ps = alice.prepareStatement("select * from customers where id = ?")) {
                    ps.setInt(1, 1);
                    ps.executeQuery().next();
                }
            });
            assertThat(prepared.getErrorCode()).isEqualTo(1143);
        }
    }
}
