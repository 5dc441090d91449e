package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * max-rows rules on the wire: past the limit no row reaches the client, whichever protocol and
 * fetch size it uses; the client is told (a notice, or an error with the rule), and the session
 * goes on.
 */
class RowLimitIT {

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        Path dir = GatewayFixture.tempDir("row-limits");
        Files.writeString(dir.resolve("rows.yaml"), """
                rules:
                  - id: analysts-50-rows
                    kind: max-rows
                    rows: 50
                    groups: [analysts]
                  - id: dba-20-rows-strict
                    kind: max-rows
                    rows: 20
                    on-limit: error
                    groups: [dba]
                """);
        gateway = GatewayFixture.start(GatewayFixture.defaultConfig() + "policies: " + dir + "\n");
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop();
        GatewayFixture.assertNoLeaks();
    }

    private static int rows(ResultSet rs) throws SQLException {
        int n = 0;
        int last = 0;
        while (rs.next()) {
            n++;
            assertThat(rs.getInt(1)).as("rows arrive in order, none skipped").isEqualTo(last + 1);
            last = rs.getInt(1);
        }
        return n;
    }

    @Test
    void psqlSeesTheFirstRowsAndANoticeNamingTheRule() throws Exception {
        var result = gateway.psql("it", "alice", "alice-pw", "-c", "select g from generate_series(1, 200) g",
                "-c", "select count(*) from generate_series(1, 200)").assertSuccess();
        assertThat(result.output()).contains("(50 rows)")
                .contains("NOTICE:  rule \"analysts-50-rows\" limits results to 50 rows: 150 more rows were not sent")
                .doesNotContain("\n  51\n").contains("200");
    }

    @Test
    void eachResultOfAQueryStringCountsOnItsOwn() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of("preferQueryMode", "simple"));
             Statement st = c.createStatement()) {
            assertThat(st.execute("select generate_series(1, 80); select generate_series(1, 30); select generate_series(1, 51)"))
                    .isTrue();
            assertThat(rows(st.getResultSet())).isEqualTo(50);
            assertThat(st.getMoreResults()).isTrue();
            assertThat(rows(st.getResultSet())).isEqualTo(30);
            assertThat(st.getMoreResults()).isTrue();
            assertThat(rows(st.getResultSet())).isEqualTo(50);
        }
    }

    @Test
    void preparedStatementsAndSmallFetchSizesDoNotGetPastTheLimit() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of("prepareThreshold", "1"))) {
            try (PreparedStatement ps = c.prepareStatement("select g from generate_series(1, ?) g")) {
                ps.setInt(1, 120);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rows(rs)).isEqualTo(50);
                    SQLWarning warning = ps.getWarnings();
                    assertThat((Object) warning).isNotNull();
                    assertThat(warning.getMessage()).contains("analysts-50-rows");
                }
                ps.setInt(1, 40);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rows(rs)).as("under the limit, everything").isEqualTo(40);
                }
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("select g from generate_series(1, 500) g")) {
                ps.setFetchSize(7);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rows(rs)).as("a portal read 7 rows at a time still stops at 50").isEqualTo(50);
                }
            }
            c.commit();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select 6 * 7")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
    }

    @Test
    void anErrorLimitFailsTheStatementAndTheSessionGoesOn() throws Exception {
        for (String mode : new String[] {"simple", "extended"}) {
            try (Connection c = gateway.connect("it", "bob", "bob-pw", Map.of("preferQueryMode", mode));
                 Statement st = c.createStatement()) {
                SQLException e = catchThrowableOfType(SQLException.class,
                        () -> rows(st.executeQuery("select generate_series(1, 1000)")));
                assertThat((Object) e).as(mode).isNotNull();
                assertThat(e.getSQLState()).isEqualTo("54000");
                assertThat(e.getMessage()).contains("dba-20-rows-strict").contains("more than 20 rows");
                try (ResultSet rs = st.executeQuery("select generate_series(1, 20)")) {
                    assertThat(rows(rs)).as("exactly the limit is fine").isEqualTo(20);
                }
            }
        }
    }

    @Test
    void nothingOfTheBatchIsAnsweredAfterTheLimitErrorAndTheSessionGoesOn() throws Exception {
        try (Connection c = gateway.connect("it", "bob", "bob-pw", Map.of());
             Statement st = c.createStatement()) {
            st.execute("create temp table seen (x int)");
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> st.execute("select generate_series(1, 100); insert into seen values (1)"));
            assertThat(e.getSQLState()).isEqualTo("54000");
            try (ResultSet rs = st.executeQuery("select 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void copyAndLargeResultsDoNotStallTheSession() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of()); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select g from generate_series(1, 200000) g")) {
                assertThat(rows(rs)).isEqualTo(50);
            }
            try (ResultSet rs = st.executeQuery("select count(*) from generate_series(1, 200000)")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(200000);
            }
        }
    }
}
