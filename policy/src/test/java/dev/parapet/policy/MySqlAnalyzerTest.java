package dev.parapet.policy;

import static dev.parapet.policy.AnalysisAssertions.analyzed;
import static dev.parapet.policy.AnalysisAssertions.table;
import static dev.parapet.policy.AnalysisAssertions.tables;
import static dev.parapet.policy.AnalysisAssertions.unparseable;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MySqlAnalyzerTest {

    private final SqlAnalyzer analyzer = new SqlAnalyzer(Dialect.MYSQL);

    private StatementInfo only(String sql) {
        return AnalysisAssertions.only(analyzer, sql);
    }

    @Test
    void removesBackticksAndKeepsTheCaseOfDatabaseAndTable() {
        StatementInfo info = only("SELECT `u`.`id`, `u`.`email` FROM `shop`.`Users` `u` WHERE `u`.`id` = ?");
        assertThat(info.tablesRead()).containsExactly(table("shop.Users"));
        assertThat(info.columns()).containsEntry(table("shop.Users"), Set.of("id", "email"));
        assertThat(only("select * from Users").tablesRead()).containsExactly(table("Users"));
        assertThat(analyzer.analyze("select * from Users").fingerprint())
                .isNotEqualTo(analyzer.analyze("select * from users").fingerprint());
    }

    @Test
    void loadFileReadsAFileOnTheServer() {
        assertThat(only("select load_file('/etc/passwd')").serverAccess()).containsExactly(ServerAccess.READS_FILE);
        assertThat(only("SELECT LOAD_FILE(concat('/etc/', 'shadow')) AS x FROM dual").serverAccess())
                .containsExactly(ServerAccess.READS_FILE);
        assertThat(only("select id from t where v = (select load_file('/x'))").serverAccess()).containsExactly(ServerAccess.READS_FILE);
        assertThat(only("select file_name from t").serverAccess()).isEmpty();
    }

    @Test
    void readsACharsetIntroducerStandingApartFromItsLiteral() {
        // MariaDB Connector/J inlines a blob parameter so in text mode: _binary 'bytes', NULs escaped
        StatementInfo info = only("update blobs set payload = _binary '\\\u0000\u001f>]|\\'x' where id = 1");
        assertThat(info.kind()).isEqualTo(StatementKind.UPDATE);
        assertThat(info.where()).isEqualTo(WhereClause.PRESENT);
        assertThat(only("select _utf8mb4  'a' as x from t").tablesRead()).containsExactly(table("t"));
        assertThat(analyzer.analyze("select _latin1 'a' from t").fingerprint())
                .isEqualTo(analyzer.analyze("select _latin1'b' from t").fingerprint());
    }

    @Test
    void readsAndWritesTheTargetOfInsertOnDuplicateKeyUpdate() {
        StatementInfo info = only("INSERT INTO `orders` (`user_id`, `total`) VALUES (1, 10.5), (2, 99) "
                + "ON DUPLICATE KEY UPDATE total = VALUES(total)");
        assertThat(info.kind()).isEqualTo(StatementKind.INSERT);
        assertThat(info.tablesWritten()).containsExactly(table("orders"));
        assertThat(info.tablesRead()).containsExactly(table("orders"));
        assertThat(only("INSERT INTO orders (a) VALUES (1) AS new ON DUPLICATE KEY UPDATE a = new.a").tablesWritten())
                .containsExactly(table("orders"));
        assertThat(only("REPLACE INTO t (a) VALUES (1)").tablesWritten()).containsExactly(table("t"));
    }

    @Test
    void treatsLoadDataLocalAsWritingTheTableFromTheClient() {
        StatementInfo local = only("LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE orders FIELDS TERMINATED BY ',' (user_id, total)");
        assertThat(local.kind()).isEqualTo(StatementKind.LOAD);
        assertThat(local.tablesWritten()).containsExactly(table("orders"));
        assertThat(local.serverAccess()).containsExactly(ServerAccess.READS_CLIENT_FILE);
        assertThat(only("LOAD DATA INFILE '/etc/passwd' INTO TABLE t").serverAccess()).containsExactly(ServerAccess.READS_FILE);
    }

    @Test
    void reportsSelectIntoOutfileAsWritingAServerFile() {
        StatementInfo info = only("SELECT * FROM t INTO OUTFILE '/tmp/x' FIELDS TERMINATED BY ','");
        assertThat(info.kind()).isEqualTo(StatementKind.SELECT);
        assertThat(info.serverAccess()).containsExactly(ServerAccess.WRITES_FILE);
        assertThat(only("SELECT a INTO @v FROM t WHERE id = 1").serverAccess()).isEmpty();
    }

    @Test
    void readsTheCodeInsideExecutableComments() {
        StatementAnalysis.Analyzed analysis = analyzed(analyzer, "SELECT 1 /*! ; DROP TABLE t */");
        assertThat(analysis.statements()).extracting(StatementInfo::kind).containsExactly(StatementKind.SELECT, StatementKind.DROP);
        assertThat(only("/*!40101 SET NAMES utf8mb4 */").kind()).isEqualTo(StatementKind.SET);
        assertThat(only("SELECT 1 /*+ MAX_EXECUTION_TIME(1000) */").kind()).isEqualTo(StatementKind.SELECT);
    }

    @Test
    void refusesExecutableCommentsThatOnlySomeServersRunWhenTheyChangeTheStatement() {
        // a server older than 9.0 skips the WHERE and deletes every row
        unparseable(analyzer, "DELETE FROM t /*!90000 WHERE id = 1 */");
        // a server that skips the comment ends it at the first */, inside what the code reading takes for a string
        unparseable(analyzer, "SELECT 1 /*!99999 '*/ ; DROP TABLE t; -- ' */");
        unparseable(analyzer, "SELECT 1 /*M! ; DROP TABLE t */");
        unparseable(analyzer, "SELECT 1 /*!123456 , 2 */");
        // what every supported server runs is read as code, and a gated comment that changes nothing is harmless
        assertThat(analyzed(analyzer, "SELECT 1 /*!50700 ; DROP TABLE t */").statements()).hasSize(2);
        assertThat(only("SELECT 1 /*!80000 */").kind()).isEqualTo(StatementKind.SELECT);
    }

    @Test
    void treatsDoubleDashWithoutASpaceAsMinusSigns() {
        assertThat(analyzed(analyzer, "SELECT 1--1; DROP TABLE t").statements()).hasSize(2);
        assertThat(analyzed(analyzer, "SELECT 1 -- 1; DROP TABLE t").statements()).hasSize(1);
        assertThat(analyzed(analyzer, "SELECT 1 # ; DROP TABLE t").statements()).hasSize(1);
    }

    @Test
    void analysesTheTextOfPrepareFromAString() {
        StatementAnalysis.Analyzed analysis = analyzed(analyzer, "PREPARE s FROM 'DELETE FROM t WHERE 1=1'; EXECUTE s; DEALLOCATE PREPARE s");
        StatementInfo prepare = analysis.statements().get(0);
        assertThat(prepare.kind()).isEqualTo(StatementKind.PREPARE);
        assertThat(prepare.tablesWritten()).containsExactly(table("t"));
        assertThat(prepare.inner().get(0).where()).isEqualTo(WhereClause.TRIVIAL);
        assertThat(analysis.statements()).extracting(StatementInfo::kind)
                .containsExactly(StatementKind.PREPARE, StatementKind.EXECUTE, StatementKind.DEALLOCATE);
        // the prepared text is part of the fingerprint, so another text is another shape
        assertThat(only("PREPARE s FROM 'SELECT * FROM u'").tablesRead()).containsExactly(table("u"));
    }

    @Test
    void refusesPrepareFromAVariable() {
        assertThat(unparseable(analyzer, "PREPARE s FROM @sql").reason()).contains("variable");
    }

    @Test
    void tellsGlobalSettingsFromSessionOnes() {
        assertThat(only("SET GLOBAL max_connections = 1000").kind()).isEqualTo(StatementKind.ALTER_SYSTEM);
        assertThat(only("SET @@global.read_only = 1").kind()).isEqualTo(StatementKind.ALTER_SYSTEM);
        assertThat(only("SET PERSIST sql_mode = ''").kind()).isEqualTo(StatementKind.ALTER_SYSTEM);
        assertThat(only("SET autocommit = 0, @a = 1").kind()).isEqualTo(StatementKind.SET);
        // MariaDB Connector/J's session setup puts NAMES among the assignments
        assertThat(only("set autocommit=1,sql_mode=CONCAT(@@sql_mode,',STRICT_TRANS_TABLES'),session_track_schema=1,"
                + "NAMES utf8mb4,time_zone='+00:00'").kind()).isEqualTo(StatementKind.SET);
        assertThat(only("SET @@global.read_only = 1, NAMES utf8mb4").kind()).isEqualTo(StatementKind.ALTER_SYSTEM);
        assertThat(only("SET PASSWORD FOR 'bob'@'%' = 'x'").kind()).isEqualTo(StatementKind.ALTER);
        assertThat(only("SET ROLE admin").kind()).isEqualTo(StatementKind.SET_ROLE);
    }

    @Test
    void findsTheTablesASetAssignmentReads() {
        StatementInfo info = only("SET @a = (SELECT password FROM mysql.user LIMIT 1)");
        assertThat(info.kind()).isEqualTo(StatementKind.SET);
        assertThat(info.tablesRead()).containsExactly(table("mysql.user"));
        assertThat(info.columns()).containsEntry(table("mysql.user"), Set.of("password"));
    }

    @Test
    void seesTheStatementOfMariadbSetStatementFor() {
        StatementInfo info = only("SET STATEMENT max_statement_time=1 FOR DELETE FROM t");
        assertThat(info.executed()).extracting(StatementInfo::kind).containsExactly(StatementKind.SET, StatementKind.DELETE);
        assertThat(info.tablesWritten()).containsExactly(table("t"));
    }

    @Test
    void writesEveryTableOfAMultiTableUpdateAndTheNamedOnesOfADelete() {
        assertThat(only("UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = t2.b WHERE t2.c = 1").tablesWritten())
                .containsExactlyInAnyOrder(tables("t1", "t2"));
        StatementInfo delete = only("DELETE o FROM orders o JOIN `Users` u ON u.id = o.user_id WHERE u.email = 'x'");
        assertThat(delete.tablesWritten()).containsExactly(table("orders"));
        assertThat(delete.tablesRead()).containsExactlyInAnyOrder(tables("orders", "Users"));
    }

    @Test
    void reportsWhereOneAsTrivial() {
        assertThat(only("DELETE FROM t WHERE 1").where()).isEqualTo(WhereClause.TRIVIAL);
        assertThat(only("DELETE FROM t WHERE 1 LIMIT 10").where()).isEqualTo(WhereClause.TRIVIAL);
        assertThat(only("DELETE FROM t WHERE id = 1 LIMIT 10").where()).isEqualTo(WhereClause.PRESENT);
    }

    @Test
    void keepsAProcedureBodyInItsCreateStatement() {
        StatementAnalysis.Analyzed analysis = analyzed(analyzer, "CREATE DEFINER=`root`@`localhost` PROCEDURE p(in u int) "
                + "begin update Users set name = name where id = u; select count(*) from orders where user_id = u; end; SELECT 1");
        assertThat(analysis.statements()).extracting(StatementInfo::kind)
                .containsExactly(StatementKind.CREATE_FUNCTION, StatementKind.SELECT);
    }

    @Test
    void refusesTextThatReadsDifferentlyWithNoBackslashEscapes() {
        assertThat(unparseable(analyzer, "SELECT 'a\\' ; DROP TABLE t; -- '").reason()).contains("NO_BACKSLASH_ESCAPES");
        assertThat(only("select * from Users where name = 'O\\'Brien'").tablesRead()).containsExactly(table("Users"));
    }

    @Test
    void tellsGrantsOnADatabaseFromGrantsOnATable() {
        assertThat(only("GRANT ALL ON shop.* TO 'bob'@'%'").tablesWritten()).containsExactly(TableName.of("shop", "*"));
        assertThat(only("GRANT SELECT ON shop.orders TO bob").tablesWritten()).containsExactly(table("shop.orders"));
        assertThat(only("DROP DATABASE shop").tablesWritten()).containsExactly(TableName.of("shop", "*"));
        assertThat(only("DROP SCHEMA shop").objectType()).isEqualTo("database");
    }

    @Test
    void reportsDropSchemaAndDropDatabaseAlikeAsDatabase() {
        for (String sql : List.of("DROP DATABASE shop", "DROP SCHEMA shop", "drop database if exists `shop`",
                "DROP SCHEMA IF EXISTS shop")) {
            StatementInfo drop = only(sql);
            assertThat(drop.kind()).as(sql).isEqualTo(StatementKind.DROP);
            assertThat(drop.objectType()).as(sql).isEqualTo("database");
        }
        assertThat(only("DROP TABLE shop.orders").objectType()).isEqualTo("table");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SHOW TABLES | SHOW", "SHOW FULL COLUMNS FROM t | SHOW", "DESCRIBE Users | SHOW", "USE shop | USE",
        "LOCK TABLES t READ, u AS x WRITE | LOCK", "UNLOCK TABLES | LOCK", "DO SLEEP(5) | DO", "CALL touch(1) | CALL",
        "KILL 42 | ALTER_SYSTEM", "FLUSH PRIVILEGES | ALTER_SYSTEM", "EXPLAIN SELECT * FROM t | EXPLAIN",
        "XA START 'x' | TRANSACTION", "HANDLER t OPEN | CURSOR", "CHECK TABLE t | ANALYZE", "OPTIMIZE TABLE t | VACUUM",
        "RENAME TABLE a TO b, c TO d | ALTER", "DROP PREPARE s | DEALLOCATE", "INSTALL PLUGIN x SONAME 'x.so' | ALTER_SYSTEM",
        "BEGIN | TRANSACTION", "START TRANSACTION READ ONLY | TRANSACTION", "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED | TRANSACTION",
        "CREATE TRIGGER tr BEFORE INSERT ON orders FOR EACH ROW BEGIN IF NEW.total < 0 THEN SET NEW.total = 0; END IF; END | CREATE_FUNCTION"
    })
    void classifiesMysqlStatements(String sql, StatementKind kind) {
        assertThat(only(sql).kind()).isEqualTo(kind);
    }

    @Test
    void countsExplainAnalyzeAsRunningItsStatement() {
        StatementInfo info = only("EXPLAIN ANALYZE DELETE FROM t");
        assertThat(info.innerExecutes()).isTrue();
        assertThat(info.tablesWritten()).containsExactly(table("t"));
        assertThat(only("EXPLAIN DELETE FROM t").tablesWritten()).isEmpty();
    }
}
