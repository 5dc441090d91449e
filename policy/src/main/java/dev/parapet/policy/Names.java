package dev.parapet.policy;

import java.util.List;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FunctionAllColumns;

/**
 * Names as the database compares them, for one dialect: quotes removed, unquoted PostgreSQL
 * identifiers lower-cased, MySQL names kept as written. Shared by the walkers over JSqlParser's
 * trees so that a table or function is named the same way whichever analysis found it.
 */
final class Names {

    private final Dialect dialect;

    Names(Dialect dialect) {
        this.dialect = dialect;
    }

    TableName tableName(Table table) {
        String name = table.getName();
        if (name == null) {
            throw new UnreadableStatementException("a table without a name is not analysed");
        }
        String schema = table.getSchemaName();
        return new TableName(schema == null ? "" : identifier(schema), identifier(name));
    }

    /** An identifier as the database compares it: quotes removed, unquoted PostgreSQL names lower-cased. */
    String identifier(String raw) {
        if (raw == null) {
            return "";
        }
        if (raw.length() >= 2 && raw.charAt(0) == '"' && raw.charAt(raw.length() - 1) == '"') {
            return raw.substring(1, raw.length() - 1).replace("\"\"", "\"");
        }
        if (raw.length() >= 2 && raw.charAt(0) == '`' && raw.charAt(raw.length() - 1) == '`') {
            return raw.substring(1, raw.length() - 1).replace("``", "`");
        }
        return dialect == Dialect.POSTGRES ? Tokens.asciiLowerCase(raw) : raw;
    }

    /** A function name: lower-cased (PostgreSQL keeps quoted parts as they are), parts joined by dots. */
    String functionName(List<String> parts) {
        StringBuilder name = new StringBuilder();
        for (String part : parts) {
            if (part == null) {
                continue;
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            String normalised = identifier(part);
            name.append(dialect == Dialect.MYSQL || !part.startsWith("\"")
                    ? Tokens.asciiLowerCase(normalised) : normalised);
        }
        return name.toString();
    }

    /** Whether {@code function} (named {@code name}) is {@code count(*)}, which reads no column. */
    static boolean countsRows(Function function, String name) {
        ExpressionList<?> parameters = function.getParameters();
        return name.equals("count") && (function.isAllColumns() || parameters != null
                && parameters.size() == 1 && parameters.get(0) instanceof AllColumns
                && !(parameters.get(0) instanceof AllTableColumns)
                && !(parameters.get(0) instanceof FunctionAllColumns));
    }
}
