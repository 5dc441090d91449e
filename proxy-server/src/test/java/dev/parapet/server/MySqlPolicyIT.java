package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Policies on the MySQL side with real clients against the real MariaDB: no clear sensitive value
 * reaches a masked identity whatever the query and protocol (text rows, binary rows, cursors),
 * and refusals (DROP, UPDATE without WHERE, read-only, protected tables, row limits, LOAD DATA
 * LOCAL, executable comments) come back as MySQL errors with the database left unchanged.
 */
class MySqlPolicyIT {

    static GatewayFixture gateway;
    static final Set<String> secrets = new HashSet<>();
    static final Map<Integer, String> birthdays = new HashMap<>();
    static int orders;

    @BeforeAll
    static void start() throws Exception {
        gateway = MySqlFixture.start(MySqlFixture.policies("mysql-policy", """
                rules:
                  - id: mask-personal-data
                    kind: mask
                    clear-for: [dba]
                  - id: no-drop
                    kind: deny-statements
                    statements: [drop, truncate]
                  - id: where-needed
                    kind: require-where
                  - id: readers-read-only
                    kind: read-only
                    groups: [readers]
                  - id: protect-cards
                    kind: protect-tables
                    tables: [payment_cards]
                    deny: [write]
                  - id: limit-notice
                    kind: max-rows
                    groups: [limited]
                    rows: 50
                  - id: limit-error
                    kind: max-rows
                    groups: [strict]
                    rows: 50
                    on-limit: error
                """), null);
        try (Connection c = MySqlFixture.direct(); Statement st = c.createStatement()) {
            for (String sql : List.of("select email from customers", "select phone from customers where phone is not null",
                    "select full_name from customers")) {
                try (ResultSet rs = st.executeQuery(sql)) {
                    while (rs.next()) {
                        secrets.add(rs.getString(1));
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("select id, date_of_birth from customers where date_of_birth is not null")) {
                while (rs.next()) {
                    birthdays.put(rs.getInt(1), rs.getString(2));
                }
            }
            orders = Integer.parseInt(MySqlFixture.query(c, "select count(*) from orders").replace("|\n", ""));
        }
        assertThat(secrets).hasSizeGreaterThan(300);
        assertThat(orders).isGreaterThan(60);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop();
        GatewayFixture.assertNoLeaks();
    }

    private static List<String> leaks(String output) {
        List<String> found = new ArrayList<>();
        for (String secret : secrets) {
            if (output.contains(secret)) {
                found.add(secret);
            }
        }
        return found;
    }

    private static final List<String> QUERIES = List.of(
            "select * from customers",
            "select email, phone, full_name from customers",
            "select c.email as contact from customers c",
            "select concat(email, '') from customers",
            "select lower(email), upper(full_name) from customers",
            "select group_concat(email) from customers",
            "select json_object('e', email, 'p', phone) from customers",
            "select d.e from (select email e from customers) d",
            "select email from customers union select phone from customers",
            "select (select email from customers limit 1)",
            "select c.full_name, p.card_number from customers c join payment_cards p on p.customer_id = c.id");

    private static final List<String> CLIENTS = List.of("mariadb:sslMode=trust",
            "mariadb:sslMode=trust&useServerPrepStmts=true",
            "mysql:sslMode=REQUIRED&useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=7");

    private static Connection open(String client, String user) throws SQLException {
        String params = client.substring(client.indexOf(':') + 1);
        return client.startsWith("mysql:") ? MySqlFixture.mysql(gateway, user, params) : MySqlFixture.mariadb(gateway, user, params);
    }

    @Test
    void anAnalystNeverSeesAClearValueInTextBinaryOrCursorRows() throws Exception {
        for (String client : CLIENTS) {
            try (Connection c = open(client, "alice")) {
                for (String sql : QUERIES) {
                    String seen;
                    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                        seen = MySqlFixture.rows(rs);
                    } catch (SQLException refused) {
                        assertThat(refused.getErrorCode()).as(client + ": " + sql + ": " + refused).isEqualTo(1142);
                        continue;
                    }
                    assertThat(seen).as(client + ": " + sql).isNotEmpty();
                    assertThat(leaks(seen)).as(client + ": " + sql).isEmpty();
                }
                try (PreparedStatement ps = c.prepareStatement("select id, email, date_of_birth from customers where id > ? order by id")) {
                    ps.setInt(1, 0);
                    int same = 0;
                    int rows = 0;
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows++;
                            assertThat(rs.getString(2)).as(client).contains("@").isNotIn(secrets);
                            String birthday = birthdays.get(rs.getInt(1));
                            if (birthday != null && birthday.equals(rs.getString(3))) {
                                same++;
                            }
                        }
                    }
                    assertThat(rows).isEqualTo(secretsRows());
                    assertThat(same).as(client + ": birthdays shown in clear").isLessThan(birthdays.size() / 20 + 1);
                }
            }
        }
    }

    private static int secretsRows() throws SQLException {
        try (Connection c = MySqlFixture.direct()) {
            return Integer.parseInt(MySqlFixture.query(c, "select count(*) from customers").replace("|\n", ""));
        }
    }

    @Test
    void theCommandLineClientSeesMaskedValuesAndADbaClearOnes() throws Exception {
        var alice = MySqlFixture.cli(gateway, "alice", "alice-pw", "it", "-N", "-e", "select id, email, phone, full_name from customers");
        alice.assertSuccess();
        assertThat(alice.output()).contains("@");
        assertThat(leaks(alice.output())).isEmpty();
        var bob = MySqlFixture.cli(gateway, "bob", "bob-pw", "it", "-N", "-e", "select email from customers");
        bob.assertSuccess();
        assertThat(leaks(bob.output())).hasSizeGreaterThan(100);
    }

    private static SQLException refused(Connection c, String sql) {
        SQLException e = catchThrowableOfType(SQLException.class, () -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
        });
        assertThat((Object) e).as(sql).isNotNull();
        return e;
    }

    @Test
    void onlyStatementsTheGatewaySawPreparedRun() throws Exception {
        String clear = MySqlFixture.query(MySqlFixture.direct(), "select email from customers where id = 1").replace("|\n", "");
        try (RawMySqlConnection raw = RawMySqlConnection.loggedIn(MySqlFixture.port(gateway), "alice", "it")) {
            byte[] sql = "select email from customers where id = 1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] prepare = new byte[1 + sql.length];
            prepare[0] = 0x16;
            System.arraycopy(sql, 0, prepare, 1, sql.length);
            raw.sendPacket(0, prepare);
            RawMySqlConnection.Packet ok = raw.read();
            assertThat(ok.first()).isZero();
            byte[] id = java.util.Arrays.copyOfRange(ok.payload(), 1, 5);
            raw.read(); // the column definition
            raw.read(); // EOF (no DEPRECATE_EOF)
            // MariaDB runs "the last statement prepared" for id -1: the gateway would not know what it decided for it
            RawMySqlConnection.ServerError unknown = execute(raw, new byte[] {-1, -1, -1, -1}).error();
            assertThat(unknown.code()).isEqualTo(1243);
            StringBuilder answer = new StringBuilder();
            int eofs = 0;
            for (RawMySqlConnection.Packet p = execute(raw, id); ; p = raw.read()) {
                answer.append(new String(p.payload(), java.nio.charset.StandardCharsets.ISO_8859_1));
                // column count, definition, EOF, the row, EOF
                if (p.isError() || p.first() == 0xFE && p.payload().length < 9 && ++eofs == 2) {
                    break;
                }
            }
            assertThat(answer.toString()).contains("@").doesNotContain(clear);
        }
    }

    private static RawMySqlConnection.Packet execute(RawMySqlConnection raw, byte[] statementId) throws Exception {
        byte[] payload = {0x17, statementId[0], statementId[1], statementId[2], statementId[3], 0, 1, 0, 0, 0};
        raw.sendPacket(0, payload);
        return raw.read();
    }

    @Test
    void maskedValuesCannotBeParkedInUserVariables() throws Exception {
        try (Connection alice = open(CLIENTS.get(0), "alice")) {
            for (String sql : List.of("set @n = (select full_name from customers where id = 1)",
                    "select @n := email from customers where id = 1", "select phone into @p from customers where id = 2",
                    "do @n := (select email from customers limit 1)")) {
                SQLException e = refused(alice, sql);
                assertThat(e.getErrorCode()).as(sql).isEqualTo(1142);
                assertThat(e.getMessage()).as(sql).contains("masked-data-stays-masked");
            }
            String later = MySqlFixture.query(alice, "select coalesce(@n, 'unset'), coalesce(@p, 'unset')");
            assertThat(later).isEqualTo("unset|unset|\n");
        }
    }

    @Test
    void doubleQuotesReadAsIdentifiersUnderAnsiQuotesStayMasked() throws Exception {
        // a session can switch sql_mode to ANSI_QUOTES: "email" is then the column, not a string
        try (Connection alice = open(CLIENTS.get(0), "alice"); Statement st = alice.createStatement()) {
            st.execute("set sql_mode = concat(@@sql_mode, ',ANSI_QUOTES')");
            StringBuilder out = new StringBuilder();
            for (String sql : List.of("select concat(\"email\", '') from customers", "select \"email\" from customers",
                    "select lower(\"full_name\") x from customers")) {
                try (ResultSet rs = st.executeQuery(sql)) {
                    int rows = 0;
                    while (rs.next()) {
                        out.append(rs.getString(1)).append('\n');
                        rows++;
                    }
                    assertThat(rows).as(sql).isGreaterThan(100);
                }
            }
            assertThat(leaks(out.toString())).as("clear values read through double-quoted identifiers").isEmpty();
            // what reads as nothing sensible with double quotes as strings is refused, not passed on
            SQLException unreadable = refused(alice, "select \"c\".\"email\" from customers \"c\"");
            assertThat(unreadable.getErrorCode()).isEqualTo(1064);
        }
    }

    @Test
    void refusalsComeBackAs1142NamingTheRuleAndChangeNothing() throws Exception {
        String before = MySqlFixture.query(MySqlFixture.direct(), "select count(*), sum(crc32(coalesce(city,''))) from customers");
        try (Connection bob = open(CLIENTS.get(0), "bob"); Connection carol = open(CLIENTS.get(1), "carol")) {
            Map<String, String> cases = new java.util.LinkedHashMap<>();
            cases.put("drop table customers", "no-drop");
            cases.put("truncate table orders", "no-drop");
            cases.put("update customers set city = 'x'", "where-needed");
            cases.put("delete from customers where 1 = 1", "where-needed");
            cases.put("update payment_cards set brand = 'x' where id = 1", "protect-cards");
            for (var entry : cases.entrySet()) {
                SQLException e = refused(bob, entry.getKey());
                assertThat(e.getErrorCode()).as(entry.getKey()).isEqualTo(1142);
                assertThat(e.getSQLState()).isEqualTo("42000");
                assertThat(e.getMessage()).as(entry.getKey()).contains(entry.getValue());
            }
            SQLException readOnly = refused(carol, "update customers set city = 'x' where id = 1");
            assertThat(readOnly.getErrorCode()).isEqualTo(1142);
            assertThat(readOnly.getMessage()).contains("readers-read-only");
            assertThat(MySqlFixture.query(carol, "select count(*) from customers")).isNotEqualTo("0|\n");
            // executable comments: a WHERE only some servers run
            SQLException gated = refused(bob, "update customers set city = 'x' /*!99999 where id = -1 */");
            assertThat(gated.getErrorCode()).as(gated.toString()).isIn(1064, 1142);
            SQLException hidden = refused(bob, "select 1 /*!50000 ; drop table customers */");
            assertThat(hidden.getErrorCode()).as(hidden.toString()).isIn(1064, 1142);
        }
        assertThat(MySqlFixture.query(MySqlFixture.direct(), "select count(*), sum(crc32(coalesce(city,''))) from customers"))
                .isEqualTo(before);
    }

    @Test
    void rowLimitsCutOrFailAcrossCursorFetches() throws Exception {
        for (String client : CLIENTS) {
            try (Connection dave = open(client, "dave");
                 PreparedStatement ps = dave.prepareStatement("select id from orders where id > ?")) {
                ps.setInt(1, 0);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(MySqlFixture.rows(rs).lines().count()).as(client).isEqualTo(50);
                }
                assertThat(MySqlFixture.query(dave, "select 7")).isEqualTo("7|\n");
            }
            try (Connection erin = open(client, "erin");
                 PreparedStatement ps = erin.prepareStatement("select id from orders where id > ?")) {
                ps.setInt(1, 0);
                int[] seen = {0};
                SQLException e = catchThrowableOfType(SQLException.class, () -> {
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            seen[0]++;
                        }
                    }
                });
                assertThat((Object) e).as(client + " after " + seen[0] + " rows").isNotNull();
                assertThat(e.getErrorCode()).as(client + ": " + e).isEqualTo(1226);
                assertThat(seen[0]).isLessThanOrEqualTo(50);
                assertThat(MySqlFixture.query(erin, "select 8")).isEqualTo("8|\n");
            }
        }
    }

    @Test
    void loadDataLocalIsRefusedAndTheFileNeverRead() throws Exception {
        String table = "h5_load_" + Math.abs(System.nanoTime() % 1_000_000_000L);
        Path file = GatewayFixture.tempDir("infile").resolve("rows.csv");
        Files.writeString(file, "1,one\n2,two\n");
        try (Statement st = MySqlFixture.direct().createStatement()) {
            st.execute("create table " + table + " (id int primary key, name varchar(20))");
        }
        try (Connection bob = open("mariadb:sslMode=trust&allowLocalInfile=true", "bob")) {
            SQLException e = refused(bob, "load data local infile '" + file + "' into table " + table + " fields terminated by ','");
            assertThat(e.getErrorCode()).as(e.toString()).isEqualTo(1142);
            assertThat(e.getMessage()).contains("local-infile");
            var cli = MySqlFixture.cli(gateway, "bob", "bob-pw", "it", "--local-infile=1", "-e",
                    "load data local infile '" + file + "' into table " + table + " fields terminated by ','");
            assertThat(cli.exitCode()).as(cli.output()).isEqualTo(1);
            assertThat(cli.output()).contains("ERROR 1142").contains("local-infile");
            assertThat(MySqlFixture.query(bob, "select count(*) from " + table)).isEqualTo("0|\n");
        } finally {
            try (Statement st = MySqlFixture.direct().createStatement()) {
                st.execute("drop table if exists " + table);
            }
        }
    }
}
