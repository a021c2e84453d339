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

        /// <summary>
        /// Statements to append to the transaction's own settings command (no round trip of their own): a savepoint
        /// around the SET, so a refusal leaves the transaction usable. Null once the role was refused.
        /// </summary>
        public string? Statements => _denied
            ? null
            : $"SAVEPOINT {Savepoint}; SET LOCAL deadlock_timeout = '{LockRetryPolicy.Milliseconds(DeadlockTimeout)}'; RELEASE SAVEPOINT {Savepoint}";

        /// <summary>
        /// True when <paramref name="exception"/>, from a settings command that carried <see cref="Statements"/>, is the
        /// refusal of the SET: the transaction is rolled back to before it, and later transactions no longer ask.
        /// </summary>
        public async Task<bool> RecoverFromRefusalAsync(PostgresException exception, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            // lock_timeout, statement_timeout and synchronous_commit are user-settable: only deadlock_timeout can be refused.
            if (_denied || exception.SqlState != PostgresErrorCodes.InsufficientPrivilege)
                return false;
            _denied = true;
            await using var back = new NpgsqlCommand($"ROLLBACK TO SAVEPOINT {Savepoint}; RELEASE SAVEPOINT {Savepoint}", connection, transaction);
            await back.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
    }
}
