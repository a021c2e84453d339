using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>
    /// A blocking step queued behind an autovacuum of its table (common right after a big backfill) holds every app
    /// query queued behind it until the server cancels the autovacuum, which the waiting session does after its own
    /// deadlock_timeout: 1 s by default (measured: a 1,024 ms writer stall at 4M rows). A low deadlock_timeout for the
    /// step's transaction cuts that to about <see cref="DeadlockTimeout"/>. Only superusers, and from PostgreSQL 15
    /// roles granted SET on it, may change it; without the right the step runs as before.
    /// </summary>
    internal sealed class AutovacuumYield
    {
        internal static readonly TimeSpan DeadlockTimeout = TimeSpan.FromMilliseconds(50);

        private const string Savepoint = "safemigrations_deadlock_timeout";

        private bool _denied;

        /// <summary>Sets deadlock_timeout for the rest of <paramref name="transaction"/> where the role may; remembers a refusal.</summary>
        public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            if (_denied)
                return;
            // A savepoint, so a refusal leaves the step's transaction usable.
            string set = $"SAVEPOINT {Savepoint}; SET LOCAL deadlock_timeout = '{LockRetryPolicy.Milliseconds(DeadlockTimeout)}'; RELEASE SAVEPOINT {Savepoint}";
            try
            {
                await using var command = new NpgsqlCommand(set, connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                _denied = true;
                await using var back = new NpgsqlCommand($"ROLLBACK TO SAVEPOINT {Savepoint}; RELEASE SAVEPOINT {Savepoint}", connection, transaction);
                await back.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
