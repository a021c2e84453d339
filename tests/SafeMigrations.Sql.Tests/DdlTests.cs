using System.Linq;
using SafeMigrations.Sql;
using static SafeMigrations.Sql.Tests.ScanAssert;

namespace SafeMigrations.Sql.Tests
{
    public class DdlTests
    {
        [Fact]
        public void Npgsql_create_index()
        {
            var s = One("CREATE INDEX \"IX_orders_customer_id\" ON \"orders\" (\"customer_id\");");
            Assert.Equal(StatementKind.CreateIndex, s.Kind);
            Assert.Equal("IX_orders_customer_id", s.Index!.Name);
            Assert.Equal("orders", s.Table!.Name);
            Assert.Null(s.Table.Schema);
            Assert.False(s.Concurrently);
            Assert.False(s.Unique);
        }

        [Fact]
        public void Npgsql_create_unique_index_concurrently_with_schema()
        {
            var s = One("CREATE UNIQUE INDEX CONCURRENTLY \"IX_orders_code\" ON sales.\"Orders\" (\"code\");");
            Assert.True(s.Unique);
            Assert.True(s.Concurrently);
            Assert.Equal("sales", s.Table!.Schema);
            Assert.Equal("Orders", s.Table.Name);
            Assert.Equal("sales.Orders", s.Table.ToString());
        }

        [Fact]
        public void Create_index_full_form()
        {
            var s = One("create unique index concurrently if not exists ix on only Public.Orders using btree (lower(email)) where deleted_at is null");
            Assert.True(s.Unique);
            Assert.True(s.Concurrently);
            Assert.True(s.IfNotExists);
            Assert.True(s.Only);
            Assert.Equal("ix", s.Index!.Name);
            Assert.Equal("public", s.Table!.Schema);
            Assert.Equal("orders", s.Table.Name);
        }

        [Fact]
        public void Create_index_without_name()
        {
            var s = One("CREATE INDEX ON t USING gin (doc)");
            Assert.Null(s.Index);
            Assert.Equal("t", s.Table!.Name);
        }

        [Fact]
        public void Create_index_concurrently_without_name()
        {
            var s = One("CREATE INDEX CONCURRENTLY ON t (c)");
            Assert.True(s.Concurrently);
            Assert.Null(s.Index);
            Assert.Equal("t", s.Table!.Name);
        }

        [Fact]
        public void Drop_index_plain()
        {
            var s = One("DROP INDEX \"IX_orders_customer_id\";");
            Assert.Equal(StatementKind.DropIndex, s.Kind);
            Assert.False(s.Concurrently);
            Assert.Equal("IX_orders_customer_id", s.Index!.Name);
        }

        [Fact]
        public void Drop_index_concurrently_if_exists_several_cascade()
        {
            var s = One("DROP INDEX CONCURRENTLY IF EXISTS public.ix_a, ix_b CASCADE");
            Assert.True(s.Concurrently);
            Assert.True(s.IfExists);
            Assert.True(s.Cascade);
            Assert.Equal(new[] { "public.ix_a", "ix_b" }, s.Indexes.Select(n => n.ToString()));
            Assert.Equal("ix_a", s.Index!.Name);
        }

        [Fact]
        public void Alter_index()
        {
            var s = One("ALTER INDEX IF EXISTS \"IX_old\" RENAME TO \"IX_new\"");
            Assert.Equal(StatementKind.AlterIndex, s.Kind);
            Assert.True(s.IfExists);
            Assert.Equal("IX_old", s.Index!.Name);
        }

        [Theory]
        [InlineData("REINDEX INDEX ix", "INDEX", false)]
        [InlineData("REINDEX INDEX CONCURRENTLY ix", "INDEX", true)]
        [InlineData("REINDEX TABLE t", "TABLE", false)]
        [InlineData("REINDEX TABLE CONCURRENTLY public.t", "TABLE", true)]
        [InlineData("REINDEX (VERBOSE) TABLE t", "TABLE", false)]
        [InlineData("REINDEX (VERBOSE, TABLESPACE fast) TABLE CONCURRENTLY t", "TABLE", true)]
        [InlineData("REINDEX (CONCURRENTLY) TABLE t", "TABLE", true)]
        [InlineData("REINDEX (CONCURRENTLY false) TABLE t", "TABLE", false)]
        [InlineData("REINDEX SCHEMA s", "SCHEMA", false)]
        [InlineData("REINDEX DATABASE", "DATABASE", false)]
        [InlineData("REINDEX SYSTEM db", "SYSTEM", false)]
        public void Reindex(string sql, string target, bool concurrently)
        {
            var s = One(sql);
            Assert.Equal(StatementKind.Reindex, s.Kind);
            Assert.Equal(target, s.ReindexTarget);
            Assert.Equal(concurrently, s.Concurrently);
        }

        [Fact]
        public void Reindex_names()
        {
            Assert.Equal("ix", One("REINDEX INDEX ix").Index!.Name);
            Assert.Equal("t", One("REINDEX TABLE CONCURRENTLY public.t").Table!.Name);
            Assert.Equal("s", One("REINDEX SCHEMA s").ObjectName!.Name);
        }

        [Fact]
        public void Drop_table_list()
        {
            var s = One("DROP TABLE IF EXISTS a, sales.\"B\" CASCADE");
            Assert.Equal(StatementKind.DropTable, s.Kind);
            Assert.True(s.IfExists);
            Assert.True(s.Cascade);
            Assert.Equal("a", s.Table!.Name);
            Assert.Equal(new[] { "a", "sales.B" }, s.Tables.Select(t => t.ToString()));
        }

        [Fact]
        public void Npgsql_drop_table()
        {
            var s = One("DROP TABLE \"orders\";");
            Assert.Equal("orders", s.Table!.Name);
            Assert.False(s.IfExists);
        }

        [Fact]
        public void Create_table_if_not_exists()
        {
            var s = One("CREATE TABLE IF NOT EXISTS \"Orders\" (\"Id\" integer GENERATED BY DEFAULT AS IDENTITY, CONSTRAINT \"PK_Orders\" PRIMARY KEY (\"Id\"))");
            Assert.Equal(StatementKind.CreateTable, s.Kind);
            Assert.True(s.IfNotExists);
            Assert.Equal("Orders", s.Table!.Name);
        }

        [Theory]
        [InlineData("TRUNCATE t", false)]
        [InlineData("TRUNCATE TABLE ONLY t, u RESTART IDENTITY CASCADE", true)]
        public void Truncate(string sql, bool cascade)
        {
            var s = One(sql);
            Assert.Equal(StatementKind.Truncate, s.Kind);
            Assert.Equal("t", s.Table!.Name);
            Assert.Equal(cascade, s.Cascade);
        }

        [Fact]
        public void Truncate_list_and_only()
        {
            var s = One("TRUNCATE TABLE ONLY t, u");
            Assert.True(s.Only);
            Assert.Equal(new[] { "t", "u" }, s.Tables.Select(t => t.Name));
        }

        [Theory]
        [InlineData("LOCK t", "ACCESS EXCLUSIVE", false)]
        [InlineData("LOCK TABLE t", "ACCESS EXCLUSIVE", false)]
        [InlineData("LOCK TABLE ONLY t IN SHARE ROW EXCLUSIVE MODE", "SHARE ROW EXCLUSIVE", false)]
        [InlineData("lock table t in access share mode nowait", "ACCESS SHARE", true)]
        [InlineData("LOCK TABLE t, u IN EXCLUSIVE MODE", "EXCLUSIVE", false)]
        public void Lock(string sql, string mode, bool noWait)
        {
            var s = One(sql);
            Assert.Equal(StatementKind.LockTable, s.Kind);
            Assert.Equal(mode, s.LockMode);
            Assert.Equal(noWait, s.NoWait);
            Assert.Equal("t", s.Table!.Name);
        }

        [Fact]
        public void Lock_several_tables()
        {
            Assert.Equal(new[] { "t", "u" }, One("LOCK TABLE t, u IN EXCLUSIVE MODE").Tables.Select(t => t.Name));
        }

        [Theory]
        [InlineData("VACUUM", false)]
        [InlineData("VACUUM t", false)]
        [InlineData("VACUUM FULL t", true)]
        [InlineData("VACUUM FULL VERBOSE ANALYZE t", true)]
        [InlineData("VACUUM FREEZE t", false)]
        [InlineData("VACUUM ANALYZE t (a, b)", false)]
        [InlineData("VACUUM (FULL) t", true)]
        [InlineData("VACUUM (VERBOSE, FULL true, ANALYZE) t", true)]
        [InlineData("VACUUM (FULL false) t", false)]
        [InlineData("VACUUM (FULL off) t", false)]
        [InlineData("VACUUM (ANALYZE) t", false)]
        public void Vacuum(string sql, bool full)
        {
            var s = One(sql);
            Assert.Equal(StatementKind.Vacuum, s.Kind);
            Assert.Equal(full, s.Full);
        }

        [Fact]
        public void Vacuum_tables()
        {
            var s = One("VACUUM (ANALYZE) a (x), b");
            Assert.Equal(new[] { "a", "b" }, s.Tables.Select(t => t.Name));
        }

        [Theory]
        [InlineData("CLUSTER", null, null)]
        [InlineData("CLUSTER VERBOSE", null, null)]
        [InlineData("CLUSTER t", "t", null)]
        [InlineData("CLUSTER VERBOSE t USING ix", "t", "ix")]
        [InlineData("CLUSTER (VERBOSE) t USING ix", "t", "ix")]
        [InlineData("CLUSTER ix ON t", "t", "ix")]
        public void Cluster(string sql, string? table, string? index)
        {
            var s = One(sql);
            Assert.Equal(StatementKind.Cluster, s.Kind);
            Assert.Equal(table, s.Table?.Name);
            Assert.Equal(index, s.Index?.Name);
        }

        [Theory]
        [InlineData("REFRESH MATERIALIZED VIEW v", false)]
        [InlineData("REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.v WITH DATA", true)]
        public void Refresh(string sql, bool concurrently)
        {
            var s = One(sql);
            Assert.Equal(StatementKind.RefreshMaterializedView, s.Kind);
            Assert.Equal(concurrently, s.Concurrently);
            Assert.Equal("v", s.Table!.Name);
        }

        [Fact]
        public void Triggers()
        {
            var create = One("CREATE TRIGGER \"sync_name\" BEFORE INSERT OR UPDATE OF a, b ON \"Orders\" FOR EACH ROW WHEN (NEW.a IS NULL) EXECUTE FUNCTION f()");
            Assert.Equal("sync_name", create.ObjectName!.Name);
            Assert.Equal("Orders", create.Table!.Name);
            var drop = One("DROP TRIGGER IF EXISTS sync_name ON public.orders CASCADE");
            Assert.Equal(StatementKind.DropTrigger, drop.Kind);
            Assert.True(drop.IfExists);
            Assert.True(drop.Cascade);
            Assert.Equal("sync_name", drop.ObjectName!.Name);
            Assert.Equal("public.orders", drop.Table!.ToString());
        }

        [Fact]
        public void Create_function_name_and_or_replace()
        {
            var s = One("CREATE OR REPLACE FUNCTION app.sync() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN NEW.b := NEW.a; RETURN NEW; END $fn$");
            Assert.True(s.OrReplace);
            Assert.Equal("app.sync", s.ObjectName!.ToString());
        }

        [Fact]
        public void Views()
        {
            var s = One("CREATE MATERIALIZED VIEW IF NOT EXISTS v AS SELECT 1");
            Assert.Equal("v", s.Table!.Name);
            Assert.True(s.IfNotExists);
            var drop = One("DROP VIEW IF EXISTS a, b CASCADE");
            Assert.Equal(new[] { "a", "b" }, drop.Tables.Select(t => t.Name));
            Assert.True(drop.Cascade);
        }

        [Fact]
        public void Three_part_names_keep_schema_and_name()
        {
            var s = One("DROP TABLE db.s.t");
            Assert.Equal("s", s.Table!.Schema);
            Assert.Equal("t", s.Table.Name);
        }
    }
}
