package dev.parapet.postgres.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApplicationNameTagTest {

    private final ApplicationNameTag tag = new ApplicationNameTag("alice@example.com");

    @Test
    void tagsTheLoginValue() {
        assertThat(tag.atLogin("psql")).isEqualTo("parapet:alice@example.com:psql");
        assertThat(tag.atLogin(null)).isEqualTo("parapet:alice@example.com");
        assertThat(tag.atLogin("x".repeat(100)).getBytes()).hasSize(ApplicationNameTag.LIMIT);
    }

    @Test
    void rewritesTheWaysClientsSetTheirName() {
        assertThat(tag.rewrite("SET application_name = 'PostgreSQL JDBC Driver'"))
                .isEqualTo("SET application_name = 'parapet:alice@example.com:PostgreSQL JDBC Driver'");
        assertThat(tag.rewrite("  set Application_Name to reports;"))
                .isEqualTo("SET application_name = 'parapet:alice@example.com:reports'");
        assertThat(tag.rewrite("SET SESSION application_name='it''s mine'"))
                .isEqualTo("SET SESSION application_name = 'parapet:alice@example.com:it''s mine'");
        assertThat(tag.rewrite("SET LOCAL application_name = 'batch'"))
                .isEqualTo("SET LOCAL application_name = 'parapet:alice@example.com:batch'");
    }

    @Test
    void leavesEverythingElseAlone() {
        assertThat(tag.rewrite("SET application_name = DEFAULT")).isNull();
        assertThat(tag.rewrite("RESET application_name")).isNull();
        assertThat(tag.rewrite("SET search_path = public")).isNull();
        assertThat(tag.rewrite("select 'SET application_name = x'")).isNull();
        assertThat(tag.rewrite("SET application_name = 'a'; DROP TABLE t")).isNull();
    }
}
