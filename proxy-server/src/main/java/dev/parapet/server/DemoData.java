package dev.parapet.server;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Random;

/**
 * The demo's schema and fake personal data: customers with names, emails, phone numbers, dates of
 * birth and notes; their payment cards (Luhn-valid test numbers); their orders. Seeding is
 * idempotent: every start leaves the same rows.
 */
final class DemoData {

    private static final String[] FIRST = {"Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro",
            "Ines", "Jonas", "Kemal", "Lucia", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq"};
    private static final String[] LAST = {"Keller", "Moreau", "Rossi", "Novak", "Silva", "Haddad", "Lindqvist",
            "Tanaka", "Okafor", "Weber", "Costa", "Dubois", "Jensen", "Kowalski", "Nguyen"};
    private static final String[] CITIES = {"Lisbon", "Berlin", "Lyon", "Turin", "Gdansk", "Osaka", "Austin", "Leeds"};
    private static final String[] PRODUCTS = {"desk lamp", "standing desk", "monitor arm", "keyboard", "headset", "webcam"};
    private static final String[] STATUS = {"paid", "shipped", "delivered", "refunded"};

    static final int CUSTOMERS = 200;
    /** The demo's read-only database login, and its password (a demo value, not a secret). */
    static final String READER = "parapet_demo_reader";
    static final String READER_PASSWORD = "demo-reader";

    private DemoData() {
    }

    static void ensureDatabase(Connection admin, String name) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("select 1 from pg_database where datname = ?")) {
            ps.setString(1, name);
            if (ps.executeQuery().next()) {
                return;
            }
        }
        try (Statement st = admin.createStatement()) {
            st.execute("create database " + name);
        }
    }

    static void seed(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            createTables(st, "timestamp");
            st.execute("truncate orders, payment_cards, customers");
        }
        insertRows(c);
        try (Statement st = c.createStatement()) {
            // A read-only login that analysts and agents reach the database as (upstream by-group).
            // A login of its own, not SET ROLE: a session can RESET a role, not its login.
            st.execute("""
                    do $$ begin
                      if not exists (select from pg_roles where rolname = '%1$s') then
                        create role %1$s login password '%2$s';
                      end if;
                    end $$""".formatted(READER, READER_PASSWORD));
            st.execute("grant usage on schema public to " + READER);
            st.execute("grant select on all tables in schema public to " + READER);
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /**
     * The demo's three tables, in SQL both databases take; {@code timestampType} is the type of a
     * date and time without a zone (PostgreSQL's timestamp, MySQL's datetime).
     */
    private static void createTables(Statement st, String timestampType) throws SQLException {
        st.execute("""
                create table if not exists customers (
                  id            integer primary key,
                  full_name     text not null,
                  email         varchar(120) not null,
                  phone         varchar(32),
                  date_of_birth date,
                  city          text,
                  notes         text,
                  created_at    %s not null)""".formatted(timestampType));
        st.execute("""
                create table if not exists payment_cards (
                  id          integer primary key,
                  customer_id integer not null references customers(id),
                  card_number varchar(19) not null,
                  expires     char(5) not null,
                  brand       text not null)""");
        st.execute("""
                create table if not exists orders (
                  id          integer primary key,
                  customer_id integer not null references customers(id),
                  card_id     integer references payment_cards(id),
                  product     text not null,
                  amount      numeric(10,2) not null,
                  status      text not null,
                  ordered_at  %s not null)""".formatted(timestampType));
    }

    /** The demo's rows (the same on every start and on both databases). */
    private static void insertRows(Connection c) throws SQLException {
        Random random = new Random(42);
        try (PreparedStatement customers = c.prepareStatement("insert into customers values (?,?,?,?,?,?,?,?)");
             PreparedStatement cards = c.prepareStatement("insert into payment_cards values (?,?,?,?,?)");
             PreparedStatement orders = c.prepareStatement("insert into orders values (?,?,?,?,?,?,?)")) {
            int orderId = 1;
            for (int id = 1; id <= CUSTOMERS; id++) {
                String first = FIRST[random.nextInt(FIRST.length)];
                String last = LAST[random.nextInt(LAST.length)];
                String email = (first + "." + last + id).toLowerCase() + "@example.com";
                String phone = String.format("+1 202-555-%04d", random.nextInt(10_000));
                customers.setInt(1, id);
                customers.setString(2, first + " " + last);
                customers.setString(3, email);
                customers.setString(4, phone);
                customers.setObject(5, LocalDate.of(1950 + random.nextInt(50), 1 + random.nextInt(12), 1 + random.nextInt(28)));
                customers.setString(6, CITIES[random.nextInt(CITIES.length)]);
                customers.setString(7, id % 7 == 0 ? "prefers contact by mail: " + email : "VIP since " + (2015 + id % 10));
                customers.setObject(8, LocalDateTime.of(2024, 1, 1, 9, 0).plusHours(id * 13L));
                customers.addBatch();
                cards.setInt(1, id);
                cards.setInt(2, id);
                cards.setString(3, luhnNumber(random, id % 3 == 0 ? "5500" : "4000"));
                cards.setString(4, String.format("%02d/%02d", 1 + random.nextInt(12), 27 + random.nextInt(5)));
                cards.setString(5, id % 3 == 0 ? "mastercard" : "visa");
                cards.addBatch();
                for (int k = 0; k < 1 + id % 4; k++) {
                    orders.setInt(1, orderId++);
                    orders.setInt(2, id);
                    orders.setInt(3, id);
                    orders.setString(4, PRODUCTS[random.nextInt(PRODUCTS.length)]);
                    orders.setBigDecimal(5, java.math.BigDecimal.valueOf(1000 + random.nextInt(90_000), 2));
                    orders.setString(6, STATUS[random.nextInt(STATUS.length)]);
                    orders.setObject(7, LocalDateTime.of(2025, 1, 1, 8, 0).plusHours(orderId * 7L));
                    orders.addBatch();
                }
            }
            customers.executeBatch();
            cards.executeBatch();
            orders.executeBatch();
        }
    }

    /**
     * The same schema and rows in a MariaDB/MySQL database {@code database} (created if missing),
     * and the read-only login analysts and agents reach it as.
     */
    static void seedMySql(Connection c, String database) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("create database if not exists `" + database + "`");
            st.execute("use `" + database + "`");
            createTables(st, "datetime");
            st.execute("delete from orders");
            st.execute("delete from payment_cards");
            st.execute("delete from customers");
        }
        c.setAutoCommit(false);
        insertRows(c);
        c.commit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("create user if not exists '" + READER + "'@'%' identified by '" + READER_PASSWORD + "'");
            st.execute("create user if not exists '" + READER + "'@'localhost' identified by '" + READER_PASSWORD + "'");
            st.execute("grant select on `" + database + "`.* to '" + READER + "'@'%'");
            st.execute("grant select on `" + database + "`.* to '" + READER + "'@'localhost'");
        }
    }

    /** A 16-digit number with the given prefix and a valid Luhn check digit. */
    static String luhnNumber(Random random, String prefix) {
        StringBuilder digits = new StringBuilder(prefix);
        while (digits.length() < 15) {
            digits.append(random.nextInt(10));
        }
        int sum = 0;
        for (int i = 0; i < 15; i++) {
            int d = digits.charAt(14 - i) - '0';
            if (i % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return digits.append((10 - sum % 10) % 10).toString();
    }
}
