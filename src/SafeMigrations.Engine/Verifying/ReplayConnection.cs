using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>The connection string verify replays on: every session (engine, seeder, tracer) in the configured TimeZone.</summary>
    internal static class ReplayConnection
    {
        /// <exception cref="EngineException">SM1001 when the server does not know the zone.</exception>
        public static async Task<string> WithTimeZoneAsync(string connectionString, VerifyOptions options, CancellationToken cancellationToken)
        {
            string zone = string.IsNullOrWhiteSpace(options.SessionTimeZone) ? VerifyOptions.DefaultSessionTimeZone : options.SessionTimeZone.Trim();
            // A startup parameter: it wins over the database's default, so the server's own zone cannot decide the result.
            string replay = new NpgsqlConnectionStringBuilder(connectionString) { Timezone = zone }.ConnectionString;
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(replay) { Pooling = false }.ConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState == "22023")
            {
                throw new EngineException(EngineCodes.Configuration, $"verify: PostgreSQL does not know the time zone '{zone}' (--time-zone): use a name from pg_timezone_names, e.g. UTC or Europe/Berlin.", exception);
            }
            options.Log.Info($"replaying with session TimeZone '{zone}': timestamp <-> timestamptz rewrites unless a migration sets it to UTC (--time-zone sets the zone production sessions use)");
            return replay;
        }
    }
}
