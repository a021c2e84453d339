using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Execution;
using SafeMigrations.Engine.State;

namespace SafeMigrations.Engine.Applying
{
    /// <summary>How a command reads the recorded progress: only looking (plan, status), or as the one executor that changes it.</summary>
    internal enum ProgressAccess
    {
        /// <summary>No executor lock, nothing created: plan and status.</summary>
        Look,

        /// <summary>Under the executor lock, with the state table created: rollback.</summary>
        Execute,

        /// <summary>As <see cref="Execute"/>, and the EF history table created too: apply, which writes history rows.</summary>
        ExecuteAndWriteHistory,
    }

    /// <summary>
    /// A run's session and what the database records of the migrations on it: the applied ones (EF history) and every
    /// step's state. Disposing it releases the executor lock (when held) before it closes the session.
    /// </summary>
    internal sealed class RecordedProgress : IAsyncDisposable
    {
        public RecordedProgress(NpgsqlConnection connection)
        {
            Connection = connection;
            Store = new StepStateStore(connection);
        }

        public NpgsqlConnection Connection { get; }

        public StepStateStore Store { get; }

        /// <summary>Held for <see cref="ProgressAccess.Execute"/> and <see cref="ProgressAccess.ExecuteAndWriteHistory"/>.</summary>
        public ExecutorLock? Lock { get; set; }

        /// <summary>Migrations in the EF history table.</summary>
        public HashSet<string> Applied { get; set; } = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>Recorded step states by (migration, step index); empty before the state table exists.</summary>
        public Dictionary<(string, int), StepState> States { get; set; } = new Dictionary<(string, int), StepState>();

        public void Deconstruct(out NpgsqlConnection connection, out StepStateStore store, out HashSet<string> applied, out Dictionary<(string, int), StepState> states)
            => (connection, store, applied, states) = (Connection, Store, Applied, States);

        public async ValueTask DisposeAsync()
        {
            // The lock lives on this session: release it first, as the nested usings this replaces did.
            try
            {
                if (Lock is not null)
                    await Lock.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                await Connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public sealed partial class MigrationEngine
    {
        /// <summary>
        /// Opens the run's session and reads the recorded progress on it: the start every command that reads the
        /// database shares. <paramref name="access"/> says whether the executor lock is taken and the tables created
        /// first. On failure the session (and lock) are released before the exception leaves.
        /// </summary>
        private async Task<RecordedProgress> ReadProgressAsync(ProgressAccess access, CancellationToken cancellationToken)
        {
            var progress = new RecordedProgress(await OpenAsync(cancellationToken).ConfigureAwait(false));
            try
            {
                if (access != ProgressAccess.Look)
                {
                    progress.Lock = await AcquireLockAsync(progress.Connection, cancellationToken).ConfigureAwait(false);
                    await progress.Store.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
                }
                if (access == ProgressAccess.ExecuteAndWriteHistory)
                    await StepExecutor.ExecuteAsync(progress.Connection, _catalog.HistoryCreateIfNotExistsSql, cancellationToken).ConfigureAwait(false);
                progress.Applied = new HashSet<string>(_catalog.AppliedMigrationIds(), StringComparer.Ordinal);
                progress.States = await ReadStatesAsync(progress.Connection, cancellationToken).ConfigureAwait(false);
                return progress;
            }
            catch
            {
                await progress.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }
}
