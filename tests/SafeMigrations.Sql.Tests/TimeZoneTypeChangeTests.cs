using SafeMigrations.Sql;

namespace SafeMigrations.Sql.Tests
{
    /// <summary>timestamp ↔ timestamptz: the cases measured on PostgreSQL 15 (relfilenode before and after).</summary>
    public class TimeZoneTypeChangeTests
    {
        [Theory]
        // No rewrite under a UTC session.
        [InlineData("timestamp without time zone", "timestamp with time zone", true)]
        [InlineData("timestamp with time zone", "timestamp without time zone", true)]
        [InlineData("timestamp", "timestamptz", true)]
        [InlineData("timestamp(3)", "timestamptz", true)]
        [InlineData("timestamp(3) without time zone", "timestamp(6) with time zone", true)]
        [InlineData("timestamptz(3)", "timestamp", true)]
        [InlineData("TIMESTAMPTZ", "pg_catalog.timestamp", true)]
        // Rewrites even under UTC: the target precision is below 6.
        [InlineData("timestamp", "timestamptz(3)", false)]
        [InlineData("timestamp(3)", "timestamp(3) with time zone", false)]
        [InlineData("timestamptz(3)", "timestamp(3)", false)]
        // Not a time zone change.
        [InlineData("timestamp", "timestamp(3)", false)]
        [InlineData("timestamptz", "timestamptz", false)]
        [InlineData("timestamp[]", "timestamptz[]", false)]
        [InlineData("date", "timestamptz", false)]
        [InlineData("time", "timetz", false)]
        [InlineData(null, "timestamptz", false)]
        public void Rewrite_free_under_utc(string? oldType, string newType, bool expected)
        {
            Assert.Equal(expected, ColumnTypes.IsRewriteFreeUnderUtc(oldType, newType, 12));
        }

        [Fact]
        public void Before_postgres_12_it_always_rewrites()
        {
            Assert.False(ColumnTypes.IsRewriteFreeUnderUtc("timestamp", "timestamptz", 11));
            Assert.True(ColumnTypes.IsTimeZoneChange("timestamp", "timestamptz"));
        }

        [Fact]
        public void Classify_still_calls_it_a_rewrite_without_knowing_the_session()
        {
            Assert.Equal(TypeChangeSafety.Rewrite, ColumnTypes.Classify("timestamp", "timestamptz", 15));
        }

        [Theory]
        [InlineData("timestamptz", true)]
        [InlineData("timestamp with time zone", true)]
        [InlineData("timestamp(6) without time zone", true)]
        [InlineData("timestamptz(3)", false)]
        [InlineData("text", false)]
        public void Full_precision_timestamp_targets(string type, bool expected)
        {
            Assert.Equal(expected, ColumnTypes.IsFullPrecisionTimestamp(type));
        }
    }
}
