using System.Linq;
using SafeMigrations.Sql;

namespace SafeMigrations.Sql.Tests
{
    public class SessionSettingTests
    {
        private static SessionSetting? Parse(string sql) => SessionSetting.Parse(StatementScanner.Scan(sql).Single());

        [Theory]
        [InlineData("SET LOCAL TimeZone = 'UTC'", "timezone", "'UTC'", true)]
        [InlineData("SET TIME ZONE 'UTC'", "timezone", "'UTC'", false)]
        [InlineData("set local time zone 'Etc/UTC'", "timezone", "'Etc/UTC'", true)]
        [InlineData("SET timezone TO 'UTC'", "timezone", "'UTC'", false)]
        [InlineData("SET SESSION \"TimeZone\" = 'Europe/Berlin'", "timezone", "'Europe/Berlin'", false)]
        [InlineData("SET search_path TO app, public", "search_path", "app, public", false)]
        [InlineData("SET LOCAL myapp.tenant = '7'", "myapp.tenant", "'7'", true)]
        [InlineData("SET /* c */ work_mem = '64MB'", "work_mem", "'64MB'", false)]
        public void Reads_parameter_value_and_scope(string sql, string parameter, string value, bool isLocal)
        {
            SessionSetting setting = Parse(sql)!;
            Assert.Equal(parameter, setting.Parameter);
            Assert.Equal(value, setting.Value);
            Assert.Equal(isLocal, setting.IsLocal);
        }

        [Theory]
        [InlineData("RESET TimeZone", "timezone")]
        [InlineData("RESET ALL", SessionSetting.All)]
        [InlineData("SET TimeZone TO DEFAULT", "timezone")]
        [InlineData("SET TIME ZONE LOCAL", "timezone")]
        [InlineData("SET LOCAL TIME ZONE DEFAULT", "timezone")]
        public void Resets_have_no_value(string sql, string parameter)
        {
            SessionSetting setting = Parse(sql)!;
            Assert.Equal(parameter, setting.Parameter);
            Assert.True(setting.IsReset);
        }

        [Theory]
        [InlineData("SET ROLE admin")]
        [InlineData("SET SESSION AUTHORIZATION admin")]
        [InlineData("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")]
        [InlineData("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")]
        [InlineData("SET CONSTRAINTS ALL DEFERRED")]
        [InlineData("SELECT set_config('TimeZone', 'UTC', true)")]
        [InlineData("SET")]
        public void Other_forms_are_not_settings(string sql)
        {
            Assert.Null(Parse(sql));
        }

        // Each one checked on PostgreSQL 15: timestamp -> timestamptz kept the table's relfilenode under these zones.
        [Theory]
        [InlineData("SET LOCAL TimeZone = 'UTC'")]
        [InlineData("SET TIME ZONE 'UTC'")]
        [InlineData("SET timezone TO 'utc'")]
        [InlineData("SET TimeZone = 'Etc/UTC'")]
        [InlineData("SET TimeZone = 'GMT'")]
        [InlineData("SET TimeZone = 'Etc/GMT+0'")]
        [InlineData("SET TimeZone = 'Zulu'")]
        [InlineData("SET TimeZone = 'Universal'")]
        [InlineData("SET TimeZone = UTC")]
        [InlineData("SET TIME ZONE 0")]
        public void Utc_equivalent_zones_are_recognised(string sql)
        {
            Assert.True(Parse(sql)!.SetsUtcTimeZone);
        }

        // Rewrites on PostgreSQL 15 (Africa/Abidjan and Iceland are UTC today but had other offsets), or not a zone change.
        [Theory]
        [InlineData("SET TimeZone = 'Europe/Berlin'")]
        [InlineData("SET TimeZone = 'Africa/Abidjan'")]
        [InlineData("SET TimeZone = 'Iceland'")]
        [InlineData("SET TimeZone = 'Europe/London'")]
        [InlineData("SET TimeZone = 'UTC '")]
        [InlineData("SET TIME ZONE LOCAL")]
        [InlineData("RESET TimeZone")]
        [InlineData("SET search_path = 'UTC'")]
        [InlineData("SET TIME ZONE 1")]
        public void Other_zones_and_parameters_are_not_utc(string sql)
        {
            Assert.False(Parse(sql)!.SetsUtcTimeZone);
        }

        [Theory]
        [InlineData("SET LOCAL TimeZone = 'UTC'", "SET TIME ZONE 'UTC'")]
        [InlineData("SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE", "SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE")]
        [InlineData("SET LOCAL search_path TO app, public", "SET search_path = app, public")]
        [InlineData("SET \"MyApp.Tenant\" = 7", "SET myapp.tenant = 7")]
        [InlineData("RESET work_mem", "RESET work_mem")]
        [InlineData("RESET ALL", "RESET ALL")]
        public void Session_statement_drops_local(string sql, string expected)
        {
            Assert.Equal(expected, Parse(sql)!.SessionStatement);
        }
    }
}
