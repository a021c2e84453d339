using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.State
{
    /// <summary>
    /// One executor per database at a time: a session-level advisory lock held on a dedicated, unpooled connection
    /// for as long as this object lives. If the process dies, the server ends the session and the lock goes with it.
    /// </summary>
    public sealed class ExecutorLock : IAsyncDisposable
    {
        /// <summary>The advisory lock key: the ASCII bytes of "SAFEMIGR".</summary>
        public const long Key = 0x5341_4645_4D49_4752;

        /// <summary>application_name of the lock session, so that other sessions can see who holds it.</summary>
        public const string ApplicationName = "SafeMigrations executor";

        private readonly NpgsqlConnection _session;

        private ExecutorLock(NpgsqlConnection session, int backendPid)
        {
            _session = session;
            BackendPid = backendPid;
        }

        /// <summary>Backend pid of the session holding the lock.</summary>
        public int BackendPid { get; }

        /// <summary>Takes the lock without waiting.</summary>
        /// <exception cref="ExecutorLockTakenException">Another executor holds it.</exception>
        public static async Task<ExecutorLock> AcquireAsync(string connectionString, CancellationToken cancellationToken = default)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString)
            {
                // A pooled connection would carry the lock back into the pool; this session lives exactly as long as the lock.
                Pooling = false,
                ApplicationName = ApplicationName,
                KeepAlive = 30,
            };
            var session = new NpgsqlConnection(builder.ConnectionString);
            try
            {
                await session.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("select pg_try_advisory_lock(@key), pg_backend_pid()", session);
                command.Parameters.AddWithValue("key", Key);
                bool taken;
                int pid;
                await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    taken = reader.GetBoolean(0);
                    pid = reader.GetInt32(1);
                }

                if (!taken)
                {
                    (int? holder, string? application, DateTime? since) = await FindHolderAsync(session, cancellationToken).ConfigureAwait(false);
                    string who = holder is null ? "pid unknown" : $"pid {holder}" + (string.IsNullOrEmpty(application) ? string.Empty : $", {application}") + (since is null ? string.Empty : $", connected since {since:u}");
                    throw new ExecutorLockTakenException($"another SafeMigrations executor is running ({who}) on database {session.Database}; wait for it to finish, or end that session if it is stale.", holder);
                }
                return new ExecutorLock(session, pid);
            }
            catch
            {
                await session.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Releases the lock and closes the session.</summary>
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_session.State == System.Data.ConnectionState.Open)
                {
                    await using var command = new NpgsqlCommand("select pg_advisory_unlock(@key)", _session);
                    command.Parameters.AddWithValue("key", Key);
                    await command.ExecuteScalarAsync().ConfigureAwait(false);
                }
            }
            catch (NpgsqlException)
            {
                // The session is gone, and the lock with it.
            }
            finally
            {
                await _session.DisposeAsync().ConfigureAwait(false);
            }
        }

        private static async Task<(int? Pid, string? Application, DateTime? Since)> FindHolderAsync(NpgsqlConnection session, CancellationToken cancellationToken)
        {
            // A bigint advisory key shows in pg_locks as classid = high 32 bits, objid = low 32 bits, objsubid = 1.
            const string sql = @"
select l.pid, a.application_name, a.backend_start
from pg_locks l left join pg_stat_activity a on a.pid = l.pid
where l.locktype = 'advisory' and l.granted and l.objsubid = 1
  and l.database = (select oid from pg_database where datname = current_database())
  and l.classid::bigint = (@key >> 32) and l.objid::bigint = (@key & 4294967295)
limit 1";
            await using var command = new NpgsqlCommand(sql, session);
            command.Parameters.AddWithValue("key", Key);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                return (null, null, null);
            return (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetDateTime(2));
        }
    }

    /// <summary>Another executor holds the executor lock on this database.</summary>
    public sealed class ExecutorLockTakenException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public ExecutorLockTakenException(string message, int? holderPid)
            : base(message)
        {
            HolderPid = holderPid;
        }

        /// <summary>Backend pid of the session holding the lock, when it could be found.</summary>
        public int? HolderPid { get; }
    }
}
