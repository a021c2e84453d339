using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>
    /// How many extra sessions parallel backfill workers may open without taking the connection slots the application
    /// needs: the free slots under the server's, the database's and the login role's connection limits, each less a
    /// reserve of a quarter of that limit (at least one slot), so a deploy never starves the app of new connections.
    /// </summary>
    internal static class ConnectionHeadroom
    {
        private const string Sql = @"SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int,
       d.datconnlimit,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname = current_database())::int,
       r.rolconnlimit,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = session_user)::int
FROM pg_database d, pg_roles r
WHERE d.datname = current_database() AND r.rolname = session_user";

        /// <summary>The workers to run (at most <paramref name="requested"/>, at least 1), and why fewer when capped.</summary>
        public static async Task<(int Workers, string? Reason)> CapAsync(NpgsqlConnection connection, int requested, CancellationToken cancellationToken)
        {
            if (requested <= 1)
                return (requested, null);
            await using var command = new NpgsqlCommand(Sql, connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                return (requested, null);
            int extra = requested - 1;
            string? reason = null;
            Limit(reader.GetInt32(0), reader.GetInt32(1), "the server's max_connections (less superuser_reserved_connections)", ref extra, ref reason);
            Limit(reader.GetInt32(2), reader.GetInt32(3), "the database's CONNECTION LIMIT", ref extra, ref reason);
            Limit(reader.GetInt32(4), reader.GetInt32(5), "the login role's CONNECTION LIMIT", ref extra, ref reason);
            int workers = extra + 1;
            return workers >= requested
                ? (requested, null)
                : (workers, $"running on {workers} worker(s) instead of {requested}: {reason}, leaving a quarter of it for the application");
        }

        private static void Limit(int limit, int used, string what, ref int extra, ref string? reason)
        {
            // Negative: no limit.
            if (limit < 0)
                return;
            int reserve = Math.Max(1, limit / 4);
            int free = Math.Max(0, limit - used - reserve);
            if (free < extra)
            {
                extra = free;
                reason = string.Create(CultureInfo.InvariantCulture, $"{what} is {limit} with {used} session(s) open");
            }
        }
    }
}
