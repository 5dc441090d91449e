package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A scripted psql session through the gateway: meta-commands, queries, errors, \copy both ways. */
class PsqlSessionIT {

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.shared();
    }

    @AfterAll
    static void noLeaks() {
        GatewayFixture.assertNoLeaks();
    }

    @Test
    void describesTablesAndRunsQueries() throws Exception {
        String out = gateway.psql("it", "alice", "alice-pw",
                "-c", "\\dt", "-c", "\\d customers", "-c", "select count(*) from customers",
                "-c", "select email from customers where id = 7").assertSuccess().output();
        assertThat(out).contains("payment_cards").contains("orders");
        assertThat(out).contains("date_of_birth").contains("character varying(120)");
        assertThat(out).contains(String.valueOf(DemoData.CUSTOMERS));
        assertThat(out).contains("@example.com");
    }

    @Test
    void reportsServerErrorsAndKeepsTheSessionUsable() throws Exception {
        var result = gateway.psql("it", "alice", "alice-pw", "-v", "ON_ERROR_STOP=0",
                "-c", "select * from no_such_table", "-c", "select 40 + 2 as answer");
        assertThat(result.output()).contains("relation \"no_such_table\" does not exist").contains("42");
    }

    @Test
    void copiesInAndOutWithBackslashCopy() throws Exception {
        Path dir = GatewayFixture.tempDir("psql-copy");
        Path in = dir.resolve("in.csv");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            rows.append(i).append(",name ").append(i).append('\n');
        }
        Files.writeString(in, rows);
        Path out = dir.resolve("out.csv");
        gateway.psql("it", "bob", "bob-pw",
                "-c", "drop table if exists copy_check",
                "-c", "create table copy_check (id int, name text)",
                "-c", "\\copy copy_check from '" + in + "' with (format csv)",
                "-c", "\\copy (select * from copy_check order by id) to '" + out + "' with (format csv)",
                "-c", "drop table copy_check").assertSuccess();
        assertThat(Files.readString(out)).isEqualTo(rows.toString());
    }

    @Test
    void namesTheCallerInTheDatabaseSession() throws Exception {
        String out = gateway.psql("it", "alice", "alice-pw", "-At", "-c", "show application_name").assertSuccess().output();
        assertThat(out.trim()).isEqualTo("parapet:alice:psql");
    }
}
