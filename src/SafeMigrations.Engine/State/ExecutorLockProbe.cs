using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.State
{
    /// <summary>
    /// Looks, without taking it, whether some session holds the executor lock on this database: an instance waiting for
    /// another one polls this instead of starting a whole run that would only be refused (and rewrite its report).
    /// </summary>
    internal static class ExecutorLockProbe
    {
        // Marked as a starting executor's statement, so that the holder never mistakes this session for leftover work.
        private const string HolderSql = ExecutorLock.StartingMarker + @"
select a.pid, coalesce(a.application_name, '') from pg_locks l join pg_stat_activity a on a.pid = l.pid
where l.database = (select oid from pg_database where datname = current_database()) and " + ExecutorLock.KeyMatch + @"
limit 1";

        /// <summary>The holder as "backend pid N (application_name)", or null when the lock is free.</summary>
        public static async Task<string?> HolderAsync(NpgsqlConnection session, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(HolderSql, session);
            command.Parameters.AddWithValue("key", ExecutorLock.Key);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                return null;
            return $"backend pid {reader.GetInt32(0)} ('{reader.GetString(1)}')";
        }
    }
}
