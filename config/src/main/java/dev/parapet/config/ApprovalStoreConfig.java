package dev.parapet.config;

import java.util.Objects;

/**
 * Where approval requests are kept so that several gateway replicas share them: a PostgreSQL
 * table (created when missing) reached with {@code url}, {@code user} and {@code password}. An
 * approval made through any replica then releases a statement held on another.
 */
public record ApprovalStoreConfig(String url, String user, Secret password, String table) {

    public ApprovalStoreConfig {
        Objects.requireNonNull(url, "the approval store needs a JDBC 'url'");
        table = table == null || table.isBlank() ? "parapet_approvals" : table;
        if (!table.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")) {
            throw new IllegalArgumentException("the approval store's table is a name (letters, digits, _), not '" + table + "'");
        }
    }
}
