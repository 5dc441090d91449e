package dev.parapet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader(Map.of("PG_PASSWORD", "s3cret")::get);

    @Test
    void loadsTargetsWithDefaultsAndResolvesEnvironmentSecrets() throws Exception {
        ParapetConfig config = loader.parse("""
                listeners:
                  postgres: {port: 7432}
                targets:
                  - name: prod
                    environment: prod
                    upstream:
                      port: 5432
                      database: app
                      user: svc
                      password: ${PG_PASSWORD}
                limits:
                  max-message-size: 16MiB
                  startup-timeout: 500ms
                """, "p.yaml", null);
        assertThat(config.listeners().postgres().port()).isEqualTo(7432);
        assertThat(config.listeners().admin().port()).isEqualTo(9090);
        TargetConfig prod = config.target("prod").orElseThrow();
        assertThat(prod.protocol()).isEqualTo(TargetConfig.Protocol.POSTGRES);
        assertThat(prod.upstream().host()).isEqualTo("127.0.0.1");
        assertThat(prod.upstream().password().reveal()).isEqualTo("s3cret");
        assertThat(prod.upstream().password().toString()).doesNotContain("s3cret");
        assertThat(config.limits().maxMessageSize().bytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(config.limits().startupTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void readsSecretsFromFilesRelativeToTheConfig(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pw"), "from-file\n");
        Path file = dir.resolve("parapet.yaml");
        Files.writeString(file, """
                targets:
                  - name: t
                    upstream: {port: 5432, database: d, user: u, password: "${file:pw}"}
                """);
        assertThat(loader.load(file).targets().get(0).upstream().password().reveal()).isEqualTo("from-file");
    }

    @Test
    void reportsEveryErrorWithItsLine() {
        assertThatThrownBy(() -> loader.parse("""
                listeners:
                  postgres: {port: 70000}
                targets:
                  - name: prod
                    upstream:
                      port: 5432
                      databse: app
                      user: svc
                      password: ${MISSING}
                  - name: prod
                    upstream: {port: 5432, database: d, user: u}
                """, "bad.yaml", null))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:2:").contains("port must be between"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:7:").contains("unknown setting 'databse'"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:9:").contains("MISSING is not set"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:10:").contains("defined twice"))
                        .anySatisfy(s -> assertThat(s).contains("needs a 'database'")));
    }

    @Test
    void refusesAMySqlTargetNoListenerServes() throws Exception {
        assertThatThrownBy(() -> loader.parse("""
                listeners:
                  mysql: {port: 6033, enabled: false}
                targets:
                  - name: shop
                    protocol: mariadb
                    upstream: {port: 3306, database: shop, user: root}
                """, "m.yaml", null))
                .hasMessageContaining("m.yaml:5:").hasMessageContaining("the MySQL listener is off");
        var config = loader.parse("""
                listeners:
                  mysql: {port: 6033}
                targets:
                  - name: shop
                    protocol: mariadb
                    upstream: {port: 3306, database: shop, user: root}
                """, "m.yaml", null);
        assertThat(config.targets().get(0).protocol()).isEqualTo(TargetConfig.Protocol.MYSQL);
        assertThat(config.listeners().mysql().port()).isEqualTo(6033);
        assertThatThrownBy(() -> loader.parse("""
                listeners:
                  mysql: {port: 6033, default-target: nope}
                targets:
                  - name: shop
                    protocol: mariadb
                    upstream: {port: 3306, database: shop, user: root}
                """, "d.yaml", null))
                .hasMessageContaining("d.yaml:2:").hasMessageContaining("default target 'nope' is not a configured MySQL target");
    }

    @Test
    void namesTheChoicesOfAnEnumSetting() {
        assertThatThrownBy(() -> loader.parse("""
                targets:
                  - name: t
                    upstream: {port: 1, database: d, user: u, tls: {mode: verify-everything}}
                """, "e.yaml", null))
                .hasMessageContaining("e.yaml:3:")
                .hasMessageContaining("unknown value 'verify-everything' (expected disable, require, verify-ca, verify-full)");
    }

    @Test
    void reportsBadValueTypesAndSyntaxWithTheirLine() {
        assertThatThrownBy(() -> loader.parse("""
                targets:
                  - name: t
                    protocol: oracle
                    upstream: {port: 1, database: d, user: u}
                """, "x.yaml", null))
                .hasMessageContaining("x.yaml:3:")
                .hasMessageContaining("unknown protocol 'oracle'");
        assertThatThrownBy(() -> loader.parse("targets: [\n  {name: t\n", "y.yaml", null))
                .hasMessageContaining("y.yaml:")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void readsAuditSinksWithTheirOwnSettingsAndTheApprovalWebhooks(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("db-pw"), "s3cret\n");
        ParapetConfig config = new ConfigLoader(name -> name.equals("HOOK_TOKEN") ? "tok" : null).parse("""
                targets:
                  - {name: prod, environment: prod, upstream: {port: 5432, database: p, user: u}}
                  - {name: dev, upstream: {port: 5432, database: d, user: u}, audit: fail-closed}
                audit:
                  statement-text: full
                  spool-directory: spool
                  sinks:
                    - {type: file, path: audit/audit.jsonl, signing-key-file: keys/sign.pem, max-size: 10MiB}
                    - {type: jdbc, name: audit-db, url: "jdbc:postgresql://db/audit", password: "${file:db-pw}"}
                approvals:
                  notify:
                    - {url: "https://hooks.example/a", secret: "${HOOK_TOKEN}", headers: {X-Team: dba}}
                """, "p.yaml", dir);
        assertThat(config.audit().statementText()).isEqualTo(AuditConfig.StatementText.FULL);
        assertThat(config.audit().spoolDirectory()).isEqualTo(dir.resolve("spool"));
        AuditSinkConfig file = config.audit().sinks().get(0);
        assertThat(file.name()).isEqualTo("file");
        assertThat(file.path("path")).contains(dir.resolve("audit/audit.jsonl"));
        assertThat(file.path("signing-key-file")).contains(dir.resolve("keys/sign.pem"));
        assertThat(file.size("max-size", null).bytes()).isEqualTo(10L * 1024 * 1024);
        AuditSinkConfig db = config.audit().sinks().get(1);
        assertThat(db.name()).isEqualTo("audit-db");
        assertThat(db.secret("password").orElseThrow().reveal()).isEqualTo("s3cret");
        assertThat(db.toString()).doesNotContain("s3cret");
        assertThat(config.target("prod").orElseThrow().audit()).as("prod fails closed by default").isEqualTo(AuditConfig.Guarantee.FAIL_CLOSED);
        assertThat(config.target("dev").orElseThrow().audit()).isEqualTo(AuditConfig.Guarantee.FAIL_CLOSED);
        assertThat(config.approvals().webhooks()).singleElement().satisfies(hook -> {
            assertThat(hook.url()).isEqualTo("https://hooks.example/a");
            assertThat(hook.secret().reveal()).isEqualTo("tok");
            assertThat(hook.headers().get("X-Team").reveal()).isEqualTo("dba");
        });
    }

    @Test
    void refusesAnAuditSinkWithoutAType() {
        assertThatThrownBy(() -> loader.parse("""
                audit:
                  sinks:
                    - {path: audit.jsonl}
                """, "p.yaml", null)).isInstanceOf(ConfigException.class).hasMessageContaining("type");
    }
}
