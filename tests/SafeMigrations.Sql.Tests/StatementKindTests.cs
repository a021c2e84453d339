using System.Linq;
using SafeMigrations.Sql;
using static SafeMigrations.Sql.Tests.ScanAssert;

namespace SafeMigrations.Sql.Tests
{
    public class StatementKindTests
    {
        [Theory]
        [InlineData("CREATE TABLE t (id int)", StatementKind.CreateTable)]
        [InlineData("CREATE UNLOGGED TABLE t (id int)", StatementKind.CreateTable)]
        [InlineData("CREATE TEMP TABLE t (id int)", StatementKind.CreateTable)]
        [InlineData("CREATE GLOBAL TEMPORARY TABLE t (id int)", StatementKind.CreateTable)]
        [InlineData("CREATE TABLE t AS SELECT 1", StatementKind.CreateTable)]
        [InlineData("CREATE INDEX i ON t (c)", StatementKind.CreateIndex)]
        [InlineData("DROP INDEX i", StatementKind.DropIndex)]
        [InlineData("ALTER INDEX i RENAME TO j", StatementKind.AlterIndex)]
        [InlineData("ALTER TABLE t ADD c int", StatementKind.AlterTable)]
        [InlineData("DROP TABLE t", StatementKind.DropTable)]
        [InlineData("INSERT INTO t VALUES (1)", StatementKind.Insert)]
        [InlineData("UPDATE t SET a = 1", StatementKind.Update)]
        [InlineData("DELETE FROM t", StatementKind.Delete)]
        [InlineData("SELECT 1", StatementKind.Select)]
        [InlineData("VALUES (1)", StatementKind.Select)]
        [InlineData("(SELECT 1) UNION (SELECT 2)", StatementKind.Select)]
        [InlineData("TRUNCATE t", StatementKind.Truncate)]
        [InlineData("LOCK TABLE t", StatementKind.LockTable)]
        [InlineData("VACUUM t", StatementKind.Vacuum)]
        [InlineData("CLUSTER t USING i", StatementKind.Cluster)]
        [InlineData("REINDEX TABLE t", StatementKind.Reindex)]
        [InlineData("REFRESH MATERIALIZED VIEW v", StatementKind.RefreshMaterializedView)]
        [InlineData("BEGIN", StatementKind.TransactionControl)]
        [InlineData("START TRANSACTION ISOLATION LEVEL SERIALIZABLE", StatementKind.TransactionControl)]
        [InlineData("COMMIT", StatementKind.TransactionControl)]
        [InlineData("END", StatementKind.TransactionControl)]
        [InlineData("ROLLBACK", StatementKind.TransactionControl)]
        [InlineData("SAVEPOINT s", StatementKind.TransactionControl)]
        [InlineData("RELEASE SAVEPOINT s", StatementKind.TransactionControl)]
        [InlineData("DO $$ BEGIN END $$", StatementKind.Do)]
        [InlineData("DO LANGUAGE plpgsql $$ BEGIN END $$", StatementKind.Do)]
        [InlineData("CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql", StatementKind.CreateFunction)]
        [InlineData("CREATE OR REPLACE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql", StatementKind.CreateFunction)]
        [InlineData("CREATE OR REPLACE PROCEDURE p() LANGUAGE sql AS $$ select 1 $$", StatementKind.CreateFunction)]
        [InlineData("CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()", StatementKind.CreateTrigger)]
        [InlineData("CREATE OR REPLACE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()", StatementKind.CreateTrigger)]
        [InlineData("CREATE CONSTRAINT TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", StatementKind.CreateTrigger)]
        [InlineData("DROP TRIGGER tr ON t", StatementKind.DropTrigger)]
        [InlineData("CREATE VIEW v AS SELECT 1", StatementKind.CreateView)]
        [InlineData("CREATE OR REPLACE VIEW v AS SELECT 1", StatementKind.CreateView)]
        [InlineData("CREATE MATERIALIZED VIEW v AS SELECT 1", StatementKind.CreateView)]
        [InlineData("CREATE TEMP VIEW v AS SELECT 1", StatementKind.CreateView)]
        [InlineData("DROP VIEW v", StatementKind.DropView)]
        [InlineData("DROP MATERIALIZED VIEW IF EXISTS v", StatementKind.DropView)]
        [InlineData("COMMENT ON COLUMN t.c IS 'x'", StatementKind.Comment)]
        [InlineData("SET lock_timeout = '2s'", StatementKind.Set)]
        [InlineData("SET LOCAL statement_timeout TO 0", StatementKind.Set)]
        [InlineData("RESET lock_timeout", StatementKind.Set)]
        [InlineData("ALTER VIEW v RENAME TO w", StatementKind.Other)]
        [InlineData("ALTER SEQUENCE s RESTART WITH 10", StatementKind.Other)]
        [InlineData("CREATE SEQUENCE s", StatementKind.Other)]
        [InlineData("CREATE EXTENSION IF NOT EXISTS pgcrypto", StatementKind.Other)]
        [InlineData("GRANT SELECT ON t TO r", StatementKind.Other)]
        [InlineData("ANALYZE t", StatementKind.Other)]
        [InlineData("DROP SEQUENCE s", StatementKind.Other)]
        [InlineData("PREPARE q AS SELECT 1", StatementKind.Other)]
        [InlineData("PREPARE TRANSACTION 'x'", StatementKind.TransactionControl)]
        [InlineData("ALTER DOMAIN positive ADD CONSTRAINT c CHECK (VALUE > 0)", StatementKind.AlterDomain)]
        [InlineData("REFRESH SOMETHING", StatementKind.Other)]
        [InlineData("42", StatementKind.Unknown)]
        [InlineData("'text'", StatementKind.Unknown)]
        [InlineData("\"quoted\" stuff", StatementKind.Unknown)]
        public void Kind(string sql, StatementKind kind)
        {
            Assert.Equal(kind, One(sql).Kind);
        }

        [Theory]
        [InlineData("COMMIT", true)]
        [InlineData("commit work", true)]
        [InlineData("COMMIT AND CHAIN", true)]
        [InlineData("END", true)]
        [InlineData("END TRANSACTION", true)]
        [InlineData("ROLLBACK", true)]
        [InlineData("ABORT", true)]
        [InlineData("PREPARE TRANSACTION 'x'", true)]
        [InlineData("BEGIN", false)]
        [InlineData("BEGIN ISOLATION LEVEL SERIALIZABLE", false)]
        [InlineData("START TRANSACTION", false)]
        [InlineData("SAVEPOINT s", false)]
        [InlineData("RELEASE SAVEPOINT s", false)]
        [InlineData("ROLLBACK TO SAVEPOINT s", false)]
        [InlineData("ROLLBACK TO s", false)]
        [InlineData("COMMIT PREPARED 'x'", false)]
        [InlineData("ROLLBACK PREPARED 'x'", false)]
        [InlineData("SELECT 1", false)]
        public void Statements_that_end_the_transaction(string sql, bool ends)
        {
            Assert.Equal(ends, One(sql).EndsTransaction);
        }

        [Theory]
        [InlineData("ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0)", AlterTableActionKind.AddConstraint, ConstraintKind.Check, false, "positive_check")]
        [InlineData("ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID", AlterTableActionKind.AddConstraint, ConstraintKind.Check, true, "positive_check")]
        [InlineData("ALTER DOMAIN positive ADD CHECK (VALUE > 0)", AlterTableActionKind.AddConstraint, ConstraintKind.Check, false, null)]
        [InlineData("ALTER DOMAIN positive ADD NOT NULL", AlterTableActionKind.AddConstraint, ConstraintKind.NotNull, false, null)]
        [InlineData("ALTER DOMAIN positive SET NOT NULL", AlterTableActionKind.SetNotNull, ConstraintKind.NotNull, false, null)]
        [InlineData("ALTER DOMAIN positive DROP NOT NULL", AlterTableActionKind.DropNotNull, ConstraintKind.None, false, null)]
        [InlineData("ALTER DOMAIN positive VALIDATE CONSTRAINT positive_check", AlterTableActionKind.ValidateConstraint, ConstraintKind.None, false, "positive_check")]
        [InlineData("ALTER DOMAIN positive DROP CONSTRAINT IF EXISTS positive_check CASCADE", AlterTableActionKind.DropConstraint, ConstraintKind.None, false, "positive_check")]
        [InlineData("ALTER DOMAIN positive RENAME CONSTRAINT a TO positive_check", AlterTableActionKind.RenameConstraint, ConstraintKind.None, false, "positive_check")]
        [InlineData("ALTER DOMAIN positive SET DEFAULT 1", AlterTableActionKind.SetDefault, ConstraintKind.None, false, null)]
        [InlineData("ALTER DOMAIN positive DROP DEFAULT", AlterTableActionKind.DropDefault, ConstraintKind.None, false, null)]
        [InlineData("ALTER DOMAIN positive RENAME TO strictly_positive", AlterTableActionKind.Other, ConstraintKind.None, false, null)]
        [InlineData("ALTER DOMAIN positive OWNER TO bob", AlterTableActionKind.Other, ConstraintKind.None, false, null)]
        public void Alter_domain_actions(string sql, AlterTableActionKind kind, ConstraintKind constraint, bool notValid, string? name)
        {
            var s = One(sql);
            Assert.Equal(StatementKind.AlterDomain, s.Kind);
            Assert.Equal("positive", s.ObjectName!.Name);
            Assert.Null(s.Table);
            var a = s.Actions.Single();
            Assert.Equal(kind, a.Kind);
            Assert.Equal(constraint, a.Constraint);
            Assert.Equal(notValid, a.NotValid);
            Assert.Equal(name, a.Name);
        }

        [Fact]
        public void Alter_domain_reads_a_qualified_quoted_name()
        {
            var s = One("ALTER DOMAIN billing.\"Amount\" VALIDATE CONSTRAINT amount_check");
            Assert.Equal("billing", s.ObjectName!.Schema);
            Assert.Equal("Amount", s.ObjectName.Name);
        }

        [Fact]
        public void Leading_comments_do_not_break_classification()
        {
            var s = One("-- add an index\n/* nested /* comment */ */\nCREATE INDEX CONCURRENTLY i ON t (c)");
            Assert.Equal(StatementKind.CreateIndex, s.Kind);
            Assert.True(s.Concurrently);
        }

        [Theory]
        [InlineData("CREATE")]
        [InlineData("CREATE INDEX")]
        [InlineData("CREATE UNIQUE")]
        [InlineData("DROP")]
        [InlineData("DROP INDEX")]
        [InlineData("ALTER")]
        [InlineData("ALTER TABLE")]
        [InlineData("ALTER TABLE t")]
        [InlineData("ALTER TABLE t ADD")]
        [InlineData("ALTER TABLE t ADD CONSTRAINT")]
        [InlineData("ALTER TABLE t ADD CONSTRAINT c FOREIGN KEY (")]
        [InlineData("ALTER TABLE t ALTER COLUMN")]
        [InlineData("ALTER TABLE t ALTER COLUMN c TYPE")]
        [InlineData("ALTER TABLE t RENAME")]
        [InlineData("ALTER TABLE t ADD c int DEFAULT")]
        [InlineData("ALTER TABLE t ADD c int CHECK (")]
        [InlineData("REINDEX")]
        [InlineData("REINDEX (")]
        [InlineData("VACUUM (")]
        [InlineData("LOCK")]
        [InlineData("LOCK t IN")]
        [InlineData("TRUNCATE")]
        [InlineData("UPDATE")]
        [InlineData("UPDATE t SET a = 1 WHERE")]
        [InlineData("UPDATE t SET a = 1 WHERE (")]
        [InlineData("UPDATE t SET a = 1 WHERE id IN (")]
        [InlineData("UPDATE t SET a = 1 WHERE id = ANY(")]
        [InlineData("DELETE")]
        [InlineData("WITH")]
        [InlineData("WITH x AS (")]
        [InlineData("WITH x AS (SELECT 1)")]
        [InlineData("CLUSTER")]
        [InlineData("CREATE TRIGGER")]
        [InlineData(")))((( ; ]]")]
        [InlineData("$1 $2 @ @@ :: :")]
        public void Malformed_input_never_throws(string sql)
        {
            var statements = StatementScanner.Scan(sql);
            Assert.NotNull(statements);
            foreach (var s in statements)
                Assert.NotNull(s.ToString());
        }

        [Fact]
        public void Classify_a_single_statement()
        {
            var s = StatementScanner.Classify("DROP INDEX \"IX_a\"");
            Assert.Equal(StatementKind.DropIndex, s.Kind);
            Assert.Equal("IX_a", s.Index!.Name);
        }
    }
}
