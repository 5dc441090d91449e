package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Masking on the wire with real clients: for an identity the mask rule covers, no clear
 * sensitive value of the fixture reaches the client, whatever the query; for one it names under
 * clear-for, values come through unchanged.
 */
class MaskingIT {

    static GatewayFixture gateway;
    static Set<String> secrets = new HashSet<>();

    @BeforeAll
    static void start() throws Exception {
        Path dir = GatewayFixture.tempDir("masking");
        Files.writeString(dir.resolve("mask.yaml"), """
                rules:
                  - id: mask-personal-data
                    kind: mask
                    clear-for: [dba]
                    deny-predicates: true
                """);
        gateway = GatewayFixture.start(GatewayFixture.defaultConfig() + "policies: " + dir + "\n");
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement()) {
            collect(st, "select email from customers");
            collect(st, "select phone from customers where phone is not null");
            collect(st, "select card_number from payment_cards");
        }
        assertThat(secrets).hasSizeGreaterThan(300);
    }

    private static void collect(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                secrets.add(rs.getString(1));
            }
        }
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
            "select email, phone from customers",
            "select c.email as contact from customers c",
            "select lower(email) from customers",
            "select email || '' from customers",
            "select coalesce(phone, '') from customers",
            "select email::text, phone::varchar from customers",
            "select case when id > 0 then email end from customers",
            "select substr(card_number, 1, 19) from payment_cards",
            "select row_to_json(c) from customers c",
            "select json_agg(p) from payment_cards p",
            "select string_agg(email, ',') from customers",
            "select (select email from customers limit 1)",
            "with x as (select email e from customers) select e from x",
            "select e from (select email e from customers) s",
            "select email from customers union all select card_number from payment_cards",
            "select c.full_name, p.card_number from customers c join payment_cards p on p.customer_id = c.id",
            "select * from payment_cards");

    @Test
    void psqlPagingThroughACursorSeesMaskedValues() throws Exception {
        var result = gateway.psql("it", "alice", "alice-pw", "-A", "-v", "FETCH_COUNT=40",
                "-c", "select id, email, phone from customers order by id");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("@example.com");
        assertThat(leaks(result.output())).isEmpty();
    }

    @Test
    void psqlAsAnAnalystNeverSeesAClearValue() throws Exception {
        for (String sql : QUERIES) {
            var result = gateway.psql("it", "alice", "alice-pw", "-A", "-c", sql);
            assertThat(result.exitCode()).as(sql + "\n" + result.output()).isZero();
            assertThat(leaks(result.output())).as(sql).isEmpty();
        }
    }

    @Test
    void jdbcAsAnAnalystNeverSeesAClearValueInTextOrBinary() throws Exception {
        for (String mode : new String[] {"simple", "extended"}) {
            try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of("preferQueryMode", mode, "prepareThreshold", "1"))) {
                for (String sql : QUERIES) {
                    for (int run = 0; run < 3; run++) {
                        StringBuilder seen = new StringBuilder();
                        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                            int columns = rs.getMetaData().getColumnCount();
                            while (rs.next()) {
                                for (int i = 1; i <= columns; i++) {
                                    seen.append(rs.getString(i)).append('|');
                                }
                            }
                        }
                        assertThat(leaks(seen.toString())).as(mode + ": " + sql).isEmpty();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("select id, email, date_of_birth, created_at from customers where id = ?")) {
                    for (int id = 1; id <= 5; id++) {
                        ps.setInt(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                            assertThat(rs.getInt(1)).isEqualTo(id);
                            assertThat(rs.getString(2)).as("a masked e-mail keeps its domain").startsWith("*").contains("@");
                            rs.getDate(3); // still a date, or NULL
                            assertThat(rs.getTimestamp(4)).as("not sensitive, unchanged").isNotNull();
                        }
                    }
                }
            }
        }
    }

    @Test
    void aDbaNamedUnderClearForSeesTheValues() throws Exception {
        try (Connection c = gateway.connect("it", "bob", "bob-pw", Map.of());
             ResultSet rs = c.createStatement().executeQuery("select email from customers order by id")) {
            StringBuilder seen = new StringBuilder();
            while (rs.next()) {
                seen.append(rs.getString(1)).append('|');
            }
            assertThat(leaks(seen.toString())).hasSizeGreaterThan(100);
        }
    }

    @Test
    void maskedResultsAreCounted() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of());
             ResultSet rs = c.createStatement().executeQuery("select email from customers limit 1")) {
            assertThat(rs.next()).isTrue();
        }
        double rewritten = gateway.server().registry().find("parapet.results.rewritten").tag("rule", "mask-personal-data")
                .counters().stream().mapToDouble(counter -> counter.count()).sum();
        assertThat(rewritten).isPositive();
    }

    @Test
    void maskedDataCannotLeaveThroughACopyATableACursorOrAPreparedStatement() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of("preferQueryMode", "simple"));
             Statement st = c.createStatement()) {
            for (String sql : List.of("create temp table loot as select email from customers",
                    "select email into temp loot2 from customers",
                    "copy (select email from customers) to stdout",
                    "copy customers to stdout",
                    "copy payment_cards (card_number) to stdout with (format csv)",
                    "prepare leak as select lower(email) from customers",
                    "prepare leak2 as select c from customers c",
                    "create temp view v as select email from customers",
                    "update customers set city = email where id = 1",
                    "insert into orders (id, customer_id, product, amount, status, ordered_at) select 900000 + id, id, email, 0, 'x', now() from customers")) {
                SQLException e = org.assertj.core.api.Assertions.catchThrowableOfType(SQLException.class, () -> st.execute(sql));
                assertThat((Object) e).as(sql).isNotNull();
                assertThat(e.getSQLState()).as(sql).isEqualTo("42501");
                assertThat(e.getMessage()).as(sql).contains("masked-data-stays-masked");
            }
            c.setAutoCommit(false);
            SQLException cursor = org.assertj.core.api.Assertions.catchThrowableOfType(SQLException.class,
                    () -> st.execute("declare leak cursor for select substr(card_number, 1, 12) from payment_cards"));
            assertThat(cursor.getMessage()).contains("masked-data-stays-masked");
            c.rollback();
            // a cursor over plain columns is fine: what it fetches is traced and masked then (psql's FETCH_COUNT)
            st.execute("declare plain cursor for select id, email, full_name from customers order by id");
            StringBuilder fetched = new StringBuilder();
            for (int page = 0; page < 3; page++) {
                try (ResultSet rs = st.executeQuery("fetch 50 from plain")) {
                    while (rs.next()) {
                        fetched.append(rs.getString(2)).append('|').append(rs.getString(3)).append('|');
                    }
                }
            }
            assertThat(fetched.length()).isGreaterThan(1000);
            assertThat(leaks(fetched.toString())).isEmpty();
            c.rollback();
            c.setAutoCommit(true);
            try (ResultSet rs = st.executeQuery("select count(*) from customers")) {
                assertThat(rs.next()).as("the session goes on").isTrue();
            }
        }
    }

    @Test
    void rowsReturnedByAWriteAreMaskedToo() throws Exception {
        for (String mode : new String[] {"simple", "extended"}) {
            try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of("preferQueryMode", mode, "prepareThreshold", "1"))) {
                c.setAutoCommit(false);
                StringBuilder seen = new StringBuilder();
                for (String sql : List.of("update customers set city = city where id <= 20 returning id, email, phone",
                        "update customers set city = city where id <= 20 returning *",
                        "update customers set city = city where id <= 20 returning lower(email) || phone",
                        "update payment_cards set brand = brand where id <= 5 returning card_number",
                        "delete from customers c where id = 990002 or id <= 3 and false returning c.*",
                        "insert into customers (id, full_name, email, phone, city, created_at) values (990001, 'Zed Q', 'zed.q@example.com', '+33 6 12 34 56 78', 'Lyon', now()) returning email, phone")) {
                    for (int run = 0; run < 2; run++) {
                        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                            int columns = rs.getMetaData().getColumnCount();
                            while (rs.next()) {
                                for (int i = 1; i <= columns; i++) {
                                    seen.append(rs.getString(i)).append('|');
                                }
                            }
                        } catch (SQLException e) {
                            throw new AssertionError(mode + ": " + sql, e);
                        }
                        c.rollback();
                    }
                }
                assertThat(seen.length()).as(mode).isGreaterThan(500);
                assertThat(leaks(seen.toString())).as(mode).isEmpty();
                assertThat(seen.toString()).as("the inserted row's own values are masked as well").doesNotContain("zed.q@example.com");
                c.rollback();
            }
        }
    }

    @Test
    void withDenyPredicatesConditionsOnMaskedColumnsAreRefused() throws Exception {
        try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of()); Statement st = c.createStatement()) {
            for (String sql : List.of("select id from customers where email like 'a%'",
                    "select id from customers order by phone", "select count(*) from payment_cards group by card_number",
                    "select c.id from customers c join payment_cards p on p.card_number = c.phone")) {
                SQLException e = org.assertj.core.api.Assertions.catchThrowableOfType(SQLException.class, () -> st.executeQuery(sql).close());
                assertThat((Object) e).as(sql).isNotNull();
                assertThat(e.getMessage()).as(sql).contains("masked-data-stays-masked").contains("conditions");
            }
            try (ResultSet rs = st.executeQuery("select email from customers where id = 3")) {
                assertThat(rs.next()).as("conditions on other columns are fine").isTrue();
            }
        }
    }

    @Test
    void aColumnRenamedThroughTheGatewayIsClassifiedByItsNewName() throws Exception {
        try (Connection bob = gateway.connect("it", "bob", "bob-pw", Map.of()); Statement admin = bob.createStatement();
             Connection alice = gateway.connect("it", "alice", "alice-pw", Map.of()); Statement st = alice.createStatement()) {
            admin.execute("drop table if exists masking_it_people");
            admin.execute("create table masking_it_people (id int, info text)");
            admin.execute("insert into masking_it_people values (1, 'Ann Lee')");
            try (ResultSet rs = st.executeQuery("select info from masking_it_people")) {
                rs.next();
                assertThat(rs.getString(1)).as("nothing says it is a name yet").isEqualTo("Ann Lee");
            }
            admin.execute("alter table masking_it_people rename column info to full_name");
            try (ResultSet rs = st.executeQuery("select full_name from masking_it_people")) {
                rs.next();
                assertThat(rs.getString(1)).as("classified by its new name at once").isNotEqualTo("Ann Lee");
            } finally {
                admin.execute("drop table masking_it_people");
            }
        }
    }

    @Test
    void noClearValueIsInTheBytesTheClientReceives() throws Exception {
        assertThat(leaks(receivedBy("alice", "alice-pw"))).isEmpty();
        assertThat(leaks(receivedBy("bob", "bob-pw"))).as("the same queries as bob, in clear: the tap sees values")
                .hasSizeGreaterThan(300);
    }

    private static String receivedBy(String user, String password) throws Exception {
        try (WireTap tap = new WireTap(gateway.port())) {
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", user);
            props.setProperty("password", password);
            props.setProperty("sslmode", "disable");
            props.setProperty("prepareThreshold", "1");
            try (Connection c = java.sql.DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + tap.port() + "/it", props)) {
                for (String sql : QUERIES) {
                    for (int run = 0; run < 2; run++) {
                        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                rs.getObject(1);
                            }
                        }
                    }
                }
            }
            String bytes = tap.received();
            assertThat(bytes.length()).as("the tap saw the results").isGreaterThan(100_000);
            return bytes;
        }
    }

    @Test
    void everyMaskedValueParsesAsItsColumnTypeInTextAndBinary() throws Exception {
        for (String mode : new String[] {"simple", "extended"}) {
            try (Connection c = gateway.connect("it", "alice", "alice-pw", Map.of("preferQueryMode", mode, "prepareThreshold", "1"))) {
                for (String table : List.of("customers", "payment_cards", "orders")) {
                    for (int run = 0; run < 3; run++) {
                        try (PreparedStatement ps = c.prepareStatement("select * from " + table); ResultSet rs = ps.executeQuery()) {
                            var meta = rs.getMetaData();
                            int rows = 0;
                            while (rs.next()) {
                                rows++;
                                for (int i = 1; i <= meta.getColumnCount(); i++) {
                                    Object value = rs.getObject(i);
                                    if (value != null && meta.getColumnType(i) == java.sql.Types.DATE) {
                                        assertThat(rs.getDate(i)).as(table + "." + meta.getColumnName(i)).isNotNull();
                                    }
                                    if (value != null && meta.getColumnType(i) == java.sql.Types.VARCHAR && meta.getPrecision(i) > 0
                                            && meta.getPrecision(i) < Integer.MAX_VALUE) {
                                        assertThat(rs.getString(i).length()).as("varchar(n) keeps its limit")
                                                .isLessThanOrEqualTo(meta.getPrecision(i));
                                    }
                                }
                            }
                            assertThat(rows).as(mode + " " + table).isPositive();
                        }
                    }
                }
            }
        }
    }
}
