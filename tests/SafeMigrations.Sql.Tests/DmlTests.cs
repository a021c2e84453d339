using System.Linq;
using SafeMigrations.Sql;
using static SafeMigrations.Sql.Tests.ScanAssert;

namespace SafeMigrations.Sql.Tests
{
    public class DmlTests
    {
        [Fact]
        public void Npgsql_update_of_nulls_is_unbatched()
        {
            var s = One("UPDATE \"orders\" SET \"status\" = '' WHERE \"status\" IS NULL;");
            Assert.Equal(StatementKind.Update, s.Kind);
            Assert.Equal("orders", s.Table!.Name);
            Assert.True(s.HasWhere);
            Assert.False(s.IsBatched);
            Assert.False(s.TargetsSingleRow);
        }

        [Fact]
        public void Update_without_where()
        {
            var s = One("UPDATE ONLY public.orders AS o SET total = 0");
            Assert.True(s.Only);
            Assert.Equal("public.orders", s.Table!.ToString());
            Assert.False(s.HasWhere);
            Assert.False(s.IsBatched);
        }

        [Theory]
        [InlineData("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t WHERE a IS NULL LIMIT 1000)")]
        [InlineData("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t WHERE a IS NULL ORDER BY id FETCH FIRST 1000 ROWS ONLY)")]
        [InlineData("UPDATE t SET a = 1 WHERE ctid = ANY(ARRAY(SELECT ctid FROM t WHERE a IS NULL LIMIT 5000))")]
        [InlineData("UPDATE t SET a = 1 WHERE id = ANY (SELECT id FROM t LIMIT 10)")]
        [InlineData("UPDATE t SET a = 1 WHERE a IS NULL AND id IN (SELECT id FROM t WHERE a IS NULL LIMIT $1)")]
        [InlineData("UPDATE t SET a = 1 WHERE id BETWEEN $1 AND $2")]
        [InlineData("UPDATE t SET a = 1 WHERE id BETWEEN 1 AND 1000 AND a IS NULL")]
        [InlineData("UPDATE t SET a = 1 WHERE id > 100 AND id <= 200")]
        [InlineData("UPDATE t SET a = 1 WHERE \"Id\" >= @p0 AND \"Id\" < @p1")]
        [InlineData("UPDATE t SET a = 1 WHERE t.id >= $1 AND t.id < $1 + 10000 AND a IS NULL")]
        [InlineData("UPDATE t SET a = 1 WHERE 100 < id AND 200 >= id")]
        [InlineData("UPDATE t SET a = 1 WHERE (id > 100 AND id <= 200)")]
        [InlineData("UPDATE t SET a = 1 WHERE CURRENT OF c")]
        [InlineData("UPDATE t SET a = b.x FROM (SELECT id, x FROM s ORDER BY id LIMIT 1000) b WHERE t.id = b.id")]
        [InlineData("DELETE FROM t WHERE id IN (SELECT id FROM t WHERE created < now() - interval '90 days' LIMIT 10000)")]
        [InlineData("DELETE FROM t USING (SELECT id FROM t LIMIT 100) d WHERE t.id = d.id")]
        [InlineData("DELETE FROM t WHERE ctid IN (SELECT ctid FROM t WHERE expired LIMIT 500) RETURNING id")]
        [InlineData("WITH batch AS (SELECT id FROM t WHERE a IS NULL LIMIT 1000) UPDATE t SET a = 1 FROM batch WHERE t.id = batch.id")]
        [InlineData("WITH batch AS (SELECT id FROM t WHERE a IS NULL LIMIT 1000) UPDATE t SET a = 1 WHERE id IN (SELECT id FROM batch)")]
        public void Batched(string sql)
        {
            var s = One(sql);
            Assert.True(s.HasWhere);
            Assert.True(s.IsBatched);
            Assert.False(s.TargetsSingleRow);
        }

        [Theory]
        [InlineData("UPDATE t SET a = 1 WHERE a IS NULL")]
        [InlineData("UPDATE t SET a = 1 WHERE id > 100")]
        [InlineData("UPDATE t SET a = 1 WHERE id > 100 AND other < 5")]
        [InlineData("UPDATE t SET a = 1 WHERE id NOT BETWEEN 1 AND 10")]
        [InlineData("UPDATE t SET a = 1 WHERE id > 100 AND id <= 200 OR a IS NULL")]
        [InlineData("UPDATE t SET a = 1 WHERE id NOT IN (SELECT id FROM t LIMIT 10)")]
        [InlineData("UPDATE t SET a = 1 WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id LIMIT 1)")]
        [InlineData("UPDATE t SET a = 1 WHERE b = (SELECT b FROM u LIMIT 1)")]
        [InlineData("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)")]
        [InlineData("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u LIMIT ALL)")]
        [InlineData("UPDATE t SET a = (SELECT x FROM u LIMIT 1) WHERE a IS NULL")]
        [InlineData("UPDATE t SET a = 1 WHERE customer_id = 5")]
        [InlineData("UPDATE t SET a = 1 WHERE id = other_id")]
        [InlineData("DELETE FROM t WHERE created < now()")]
        [InlineData("DELETE FROM t")]
        [InlineData("WITH batch AS (SELECT id FROM t LIMIT 1000) UPDATE t SET a = 1 WHERE a IS NULL")]
        [InlineData("WITH x AS (SELECT id FROM t) DELETE FROM t WHERE id IN (SELECT id FROM x)")]
        public void Not_batched(string sql)
        {
            var s = One(sql);
            Assert.False(s.IsBatched);
            Assert.False(s.TargetsSingleRow);
        }

        [Theory]
        [InlineData("UPDATE \"orders\" SET \"status\" = 'x' WHERE \"Id\" = 1;")]
        [InlineData("UPDATE t SET a = 1 WHERE id = 5")]
        [InlineData("UPDATE t SET a = 1 WHERE id = $1")]
        [InlineData("UPDATE t SET a = 1 WHERE 5 = t.id")]
        [InlineData("UPDATE t SET a = 1 WHERE id = '7f1c0c84-2f39-4e93-a0ab-8d4c1b0b3d2e'::uuid")]
        [InlineData("UPDATE t SET a = 1 WHERE id IN (1, 2, 3)")]
        [InlineData("UPDATE t SET a = 1 WHERE ctid = '(0,1)'")]
        [InlineData("DELETE FROM \"orders\" WHERE \"Id\" = 42;")]
        [InlineData("DELETE FROM t WHERE id = -1 AND tenant = 'x'")]
        public void Single_row(string sql)
        {
            var s = One(sql);
            Assert.True(s.TargetsSingleRow);
            Assert.True(s.IsBatched);
        }

        [Fact]
        public void Single_row_is_not_claimed_with_or()
        {
            var s = One("DELETE FROM t WHERE id = 1 OR a IS NULL");
            Assert.False(s.TargetsSingleRow);
            Assert.False(s.IsBatched);
        }

        [Fact]
        public void Equality_columns_for_composite_keys()
        {
            var s = One("UPDATE \"OrderLines\" SET \"Qty\" = 2 WHERE \"OrderId\" = 1 AND \"ProductId\" = 7;");
            Assert.Equal(new[] { "OrderId", "ProductId" }, s.WhereEqualityColumns);
            Assert.False(s.TargetsSingleRow);
            Assert.False(s.IsBatched);
        }

        [Fact]
        public void Delete_target()
        {
            var s = One("DELETE FROM ONLY \"Sales\".\"Orders\" o WHERE o.\"Id\" = 3");
            Assert.Equal(StatementKind.Delete, s.Kind);
            Assert.True(s.Only);
            Assert.Equal("Sales", s.Table!.Schema);
            Assert.Equal("Orders", s.Table.Name);
            Assert.True(s.TargetsSingleRow);
        }

        [Fact]
        public void Where_inside_set_subquery_is_not_the_statement_where()
        {
            var s = One("UPDATE t SET a = (SELECT max(x) FROM u WHERE u.id = 1)");
            Assert.False(s.HasWhere);
        }

        [Fact]
        public void Returning_is_not_part_of_where()
        {
            var s = One("DELETE FROM t WHERE id = 1 RETURNING id, a");
            Assert.True(s.TargetsSingleRow);
        }

        [Fact]
        public void With_main_statement_decides_kind()
        {
            Assert.Equal(StatementKind.Update, One("WITH x AS (SELECT 1) UPDATE t SET a = 1").Kind);
            Assert.Equal(StatementKind.Delete, One("WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < 5) DELETE FROM t WHERE id IN (SELECT n FROM x)").Kind);
            Assert.Equal(StatementKind.Select, One("WITH x AS MATERIALIZED (SELECT 1), y AS NOT MATERIALIZED (SELECT 2) SELECT * FROM x, y").Kind);
            var insert = One("WITH moved AS (DELETE FROM a WHERE old RETURNING *) INSERT INTO b SELECT * FROM moved");
            Assert.Equal(StatementKind.Insert, insert.Kind);
            Assert.Equal("b", insert.Table!.Name);
            Assert.True(insert.HasDataModifyingCte);
        }

        [Fact]
        public void Insert_target()
        {
            var s = One("INSERT INTO \"orders\" (\"Id\", \"Name\") VALUES (1, 'a') ON CONFLICT DO NOTHING;");
            Assert.Equal(StatementKind.Insert, s.Kind);
            Assert.Equal("orders", s.Table!.Name);
        }
    }
}
