using SafeMigrations.Sql;
using static SafeMigrations.Sql.Tests.ScanAssert;

namespace SafeMigrations.Sql.Tests
{
    /// <summary>Raw ALTER COLUMN ... TYPE timestamp[tz]: the shape the engine's concurrent index recipe takes, and the ones it leaves.</summary>
    public class TimestampTypeChangeTests
    {
        [Theory]
        [InlineData("ALTER TABLE readings ALTER COLUMN at TYPE timestamptz", null, "readings", "at", true)]
        [InlineData("alter table \"Sales\".\"Readings\" alter \"At\" set data type timestamp with time zone;", "Sales", "Readings", "At", true)]
        [InlineData("ALTER TABLE IF EXISTS ONLY s.r ALTER COLUMN at TYPE timestamp(6) without time zone", "s", "r", "at", false)]
        [InlineData("ALTER TABLE r ALTER COLUMN \"at\" TYPE timestamptz USING \"at\"::timestamptz", null, "r", "at", true)]
        [InlineData("ALTER TABLE r ALTER COLUMN at TYPE pg_catalog.timestamp USING (at::timestamp)", null, "r", "at", false)]
        [InlineData("ALTER TABLE R ALTER COLUMN AT TYPE TIMESTAMPTZ", null, "r", "at", true)]
        public void Reads_table_column_and_direction(string sql, string? schema, string table, string column, bool toTimestampTz)
        {
            TimestampTypeChange? change = TimestampTypeChange.Of(One(sql), out string? notHandled);
            Assert.Null(notHandled);
            Assert.NotNull(change);
            Assert.Equal(schema, change!.Table.Schema);
            Assert.Equal(table, change.Table.Name);
            Assert.Equal(column, change.Column);
            Assert.Equal(toTimestampTz, change.ToTimestampTz);
        }

        [Theory]
        // Other targets, a precision below 6 (a rewrite even under UTC), a USING that converts: not this change at all.
        [InlineData("ALTER TABLE r ALTER COLUMN at TYPE date")]
        [InlineData("ALTER TABLE r ALTER COLUMN at TYPE timestamptz(3)")]
        [InlineData("ALTER TABLE r ALTER COLUMN at TYPE timestamptz[]")]
        [InlineData("ALTER TABLE r ALTER COLUMN at TYPE timestamptz USING at AT TIME ZONE 'Europe/Berlin'")]
        [InlineData("ALTER TABLE r ALTER COLUMN at TYPE timestamptz USING other::timestamptz")]
        [InlineData("ALTER TABLE r ALTER COLUMN at SET DEFAULT now()")]
        [InlineData("ALTER TABLE r ADD COLUMN at timestamptz")]
        [InlineData("UPDATE r SET at = now()")]
        [InlineData("SELECT 'ALTER TABLE r ALTER COLUMN at TYPE timestamptz'")]
        public void Leaves_statements_that_are_no_such_change(string sql)
        {
            Assert.Null(TimestampTypeChange.Of(One(sql), out string? notHandled));
            Assert.Null(notHandled);
        }

        [Theory]
        [InlineData("ALTER TABLE r ALTER COLUMN a TYPE timestamptz, ALTER COLUMN b TYPE timestamptz", "changes 2 columns")]
        [InlineData("ALTER TABLE r ALTER COLUMN a TYPE timestamptz, ALTER COLUMN a SET NOT NULL", "has 2 actions")]
        [InlineData("ALTER TABLE r ADD COLUMN b int, ALTER COLUMN a TYPE timestamp", "has 2 actions")]
        public void Names_the_shapes_it_does_not_take(string sql, string reason)
        {
            Assert.Null(TimestampTypeChange.Of(One(sql), out string? notHandled));
            Assert.Contains(reason, notHandled);
        }
    }
}
