using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Connections;
using SafeMigrations.Engine.Execution;
using SafeMigrations.Engine.Gate;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Statistics;
using SafeMigrations.Engine.State;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Applying
{
    /// <summary>
    /// Plans, applies, reports on and rolls back the application's migrations phase by phase. One executor at a time
    /// (advisory lock); every step recorded in <c>safemigrations.state</c> so a rerun resumes; a verification after
    /// every step; the EF history row written when a migration's expand steps are complete.
    /// </summary>
    public sealed partial class MigrationEngine
    {
        /// <summary>State row index that marks "the history row was written by SafeMigrations" for a migration.</summary>
        public const int HistoryMarkerStep = 0;

        private readonly MigrationCatalog _catalog;
        private readonly EngineOptions _options;
        private readonly MigrationPlanner _planner;
        private readonly List<StepRecord> _records = new List<StepRecord>();
        private readonly List<string> _historyWritten = new List<string>();
        private readonly List<string> _warnings = new List<string>();
        private NpgsqlConnection? _session;
        private readonly StepExecutor _executor;

        /// <summary>Creates the engine over a loaded catalog.</summary>
        public MigrationEngine(MigrationCatalog catalog, EngineOptions options)
        {
            _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _planner = new MigrationPlanner(catalog);
            _executor = new StepExecutor(options, _records, OpenAsync, Warn, ExplainSessionFailure);
        }

        private IEngineLog Log => _options.Log;

        /// <summary>The steps of the last run, for reports and tests.</summary>
        public IReadOnlyList<StepRecord> Records => _records;

        /// <summary>Migrations whose EF history row the last apply wrote (read under the executor lock, so never one another instance applied).</summary>
        public IReadOnlyList<string> HistoryWritten => _historyWritten;

        private bool PhaseSelected(MigrationPhase phase) => _options.Phase == PhaseSelection.All
            || (phase == MigrationPhase.Expand && _options.Phase == PhaseSelection.Expand)
            || (phase == MigrationPhase.Contract && _options.Phase == PhaseSelection.Contract);

        /// <summary>
        /// Undoes the completed expand steps of migrations whose contract phase has not run, newest first, and deletes
        /// their history rows: the last such migration, or every one after <see cref="EngineOptions.Target"/>.
        /// </summary>
        public Task RollbackAsync(CancellationToken cancellationToken = default)
        {
            return RunAsync("rollback", async () =>
            {
                await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                await using ExecutorLock executorLock = await AcquireLockAsync(connection, cancellationToken).ConfigureAwait(false);
                var store = new StepStateStore(connection);
                await store.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
                var applied = new HashSet<string>(_catalog.AppliedMigrationIds(), StringComparer.Ordinal);
                Dictionary<(string, int), StepState> states = await ReadStatesAsync(connection, cancellationToken).ConfigureAwait(false);

                // Candidates: applied or partially applied migrations, newest first.
                var touched = _catalog.Migrations
                    .Where(m => applied.Contains(m.Id) || states.Keys.Any(k => k.Item1 == m.Id))
                    .Reverse()
                    .ToList();
                List<MigrationInfo> victims;
                if (_options.Target is not null)
                {
                    MigrationInfo target = _catalog.Find(_options.Target);
                    victims = touched.Where(m => string.CompareOrdinal(m.Id, target.Id) > 0).ToList();
                }
                else
                {
                    victims = touched.Take(1).ToList();
                }
                if (victims.Count == 0)
                {
                    Log.Info("nothing to roll back");
                    return 0;
                }

                // Check every victim first: a rollback never stops half way on something it knew it could not undo.
                // A planned step with no record is nothing to undo (an interrupted rollback already undid and forgot it, or it never
                // ran); only recorded steps that no longer match the plan make an undo unsafe.
                foreach (PlanDrift drift in RecordedProgressCheck.Find(victims, _planner.Plan, applied, states, HistoryMarkerStep).Where(d => d.Mismatches.Any(m => m.RecordedKind is not null)))
                    throw new EngineException(EngineCodes.PlanChanged, drift.Message);
                var plans = new List<MigrationPlan>();
                foreach (MigrationInfo migration in victims)
                {
                    if (applied.Contains(migration.Id) && !states.ContainsKey((migration.Id, HistoryMarkerStep)))
                        throw new EngineException(EngineCodes.RollbackNotPossible, $"{migration.Id} was applied by EF Core, not by SafeMigrations, so its steps are unknown; roll it back with a new forward migration (or dotnet ef database update <previous>).");
                    MigrationPlan plan = _planner.Plan(migration);
                    PlanStep? contractDone = plan.ContractSteps.FirstOrDefault(s => IsCompleted(states, s));
                    if (contractDone is not null)
                        throw new EngineException(EngineCodes.RollbackNotPossible, $"{contractDone.Name}: the contract phase of {migration.Id} ran, which is the point of no return; going back is a new forward migration.");
                    PlanStep? stuck = plan.ExpandSteps.FirstOrDefault(s => (IsCompleted(states, s) || HasCommittedBatches(states, s)) && s.UndoSql is null && !s.NoUndoNeeded);
                    if (stuck is not null)
                        throw new EngineException(EngineCodes.RollbackNotPossible, $"{stuck.Name}: this step has no automatic undo{(stuck.NoUndoReason is null ? string.Empty : " (" + stuck.NoUndoReason + ")")}; nothing was rolled back. Write a new forward migration that reverts {migration.Id}.");
                    await RollbackDataCheck.EnsureNothingLostAsync(connection, plan.ExpandSteps.Where(s => states.ContainsKey((s.MigrationId, s.Index))), cancellationToken).ConfigureAwait(false);
                    plans.Add(plan);
                }

                foreach (MigrationPlan plan in plans)
                {
                    foreach (PlanStep step in plan.ExpandSteps.Reverse())
                    {
                        if (!states.ContainsKey((step.MigrationId, step.Index)))
                            continue;
                        await _executor.Lock!.EnsureHeldAsync(cancellationToken).ConfigureAwait(false);
                        var record = new StepRecord(step, StepOutcome.RolledBack);
                        var clock = Stopwatch.StartNew();
                        if (step.UndoSql is not null)
                        {
                            Log.Info($"{step.Name}: undo: {OneLine(step.UndoSql!)}");
                            record.Retries = await _executor.RunUndoAsync(connection, step, cancellationToken).ConfigureAwait(false);
                        }
                        await store.RemoveAsync(step.MigrationId, step.Index, cancellationToken).ConfigureAwait(false);
                        record.Duration = clock.Elapsed;
                        _records.Add(record);
                    }
                    await DeleteHistoryAsync(connection, store, plan.Migration.Id, cancellationToken).ConfigureAwait(false);
                    Log.Info($"{plan.Migration.Id}: rolled back; EF history row deleted");
                }
                return 0;
            });
        }

        private async Task DeleteHistoryAsync(NpgsqlConnection connection, StepStateStore store, string migrationId, CancellationToken cancellationToken)
        {
            string deleteHistory = _catalog.HistoryDeleteSql(migrationId);
            try
            {
                await new BlockingStepRunner(_options.LockPolicy()).RunAsync(connection, async (transaction, token) =>
                {
                    await StepExecutor.ExecuteAsync(connection, deleteHistory, token, transaction).ConfigureAwait(false);
                    await store.RemoveMigrationAsync(migrationId, transaction, token).ConfigureAwait(false);
                    return 0;
                }, null, cancellationToken).ConfigureAwait(false);
            }
            catch (StepFailedException failed)
            {
                throw StepExecutor.Coded(failed, $"{migrationId}: deleting its EF history row failed", "every step is undone, so a rerun of rollback only deletes the row.");
            }
        }

        private static bool IsCompleted(Dictionary<(string, int), StepState> states, PlanStep step)
            => states.TryGetValue((step.MigrationId, step.Index), out StepState? state) && state.Status == StepStatus.Completed;

        /// <summary>A batched step that stopped part way (failed or cancelled) has committed the batches before its saved position; a timestamptz index recipe with a saved position may have dropped indexes.</summary>
        private static bool HasCommittedBatches(Dictionary<(string, int), StepState> states, PlanStep step)
            => (step.Transaction == StepTransaction.Batched || step.TimeZoneIndexes is not null) && states.TryGetValue((step.MigrationId, step.Index), out StepState? state) && state.Position is not null;

        private IReadOnlyList<MigrationInfo> MigrationsUpToTarget()
        {
            if (_options.Target is null)
                return _catalog.Migrations;
            MigrationInfo target = _catalog.Find(_options.Target);
            return _catalog.Migrations.Where(m => string.CompareOrdinal(m.Id, target.Id) <= 0).ToList();
        }

        private async Task<Dictionary<(string, int), StepState>> ReadStatesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            var store = new StepStateStore(connection);
            if (!await store.ExistsAsync(cancellationToken).ConfigureAwait(false))
                return new Dictionary<(string, int), StepState>();
            IReadOnlyList<StepState> rows = await store.ListAsync(null, cancellationToken).ConfigureAwait(false);
            return rows.ToDictionary(r => (r.MigrationId, r.StepIndex));
        }

        private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
        {
            // Refuses (SM1001) a string without a Database, a URI, an unknown key: never a connection to a guessed database.
            ConnectionTarget target = ConnectionTarget.Parse(_options.ConnectionString);
            try
            {
                // Keepalives, statement timeout, idle-in-transaction timeout and the executor's application_name.
                NpgsqlConnection opened = await EngineConnectionFactory.For(_options).OpenAsync(cancellationToken).ConfigureAwait(false);
                // The first session of a run does the work; later ones (an index build's watcher) only look.
                _session ??= opened;
                return opened;
            }
            catch (Exception exception) when (exception is NpgsqlException || exception is ArgumentException || exception is System.Net.Sockets.SocketException)
            {
                throw new EngineException(EngineCodes.Configuration, $"cannot connect to {target}: {OneLine(exception.Message)}; check the connection string and that the server is reachable.", exception);
            }
        }

        private async Task<ExecutorLock> AcquireLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            try
            {
                // On the work session itself: if that session dies, the lock and the work end together.
                ExecutorLock acquired = await ExecutorLock.AcquireAsync(connection, _options.EarlierExecutorWait, message => Log.Progress(message), cancellationToken).ConfigureAwait(false);
                _executor.Lock = acquired;
                return acquired;
            }
            catch (ExecutorLockTakenException exception)
            {
                throw new EngineException(EngineCodes.ExecutorLockHeld, exception.Message, exception);
            }
        }

        private async Task<T> RunAsync<T>(string command, Func<Task<T>> body)
        {
            _records.Clear();
            _historyWritten.Clear();
            _warnings.Clear();
            DateTime started = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            bool succeeded = false;
            _session = null;
            _executor.Lock = null;
            try
            {
                T value = await body().ConfigureAwait(false);
                succeeded = true;
                return value;
            }
            catch (PostgresException exception) when (MissingPrivilege.Matches(exception))
            {
                // Steps report their own failures; what reaches here is the engine's bookkeeping (state schema, history, lock).
                throw MissingPrivilege.Explain(exception, _options.ConnectionString);
            }
            catch (Exception exception) when (ExplainSessionFailure(command, exception) is EngineException failure)
            {
                throw failure;
            }
            finally
            {
                if (_options.ReportPath is not null)
                {
                    string database = ConnectionTarget.Describe(_options.ConnectionString);
                    MarkdownReport.Write(_options.ReportPath, MarkdownReport.Render(command, database, _options.Phase.ToString(), started, clock.Elapsed, succeeded, _records, _warnings));
                    Log.Info("report written to " + _options.ReportPath);
                }
            }
        }

        /// <summary>A stalled, broken or terminated session (and with it a lost executor lock), explained; null for other failures.</summary>
        private EngineException? ExplainSessionFailure(string where, Exception exception, PlanStep? step = null)
            => SessionFailure.Explain(where, exception, _session, _options.StatementTimeout, _options.IdleInTransactionTimeout, _executor.Lock?.BackendPid, step is null || exception is EngineException ? null : StepExecutor.Explain(step, exception));

        private void Warn(PlanStep step, string warning)
        {
            string message = $"{step.Name}: {warning}";
            _warnings.Add(EngineCodes.CannotBeMadeSafe + ": " + message);
            Log.Warn(EngineCodes.CannotBeMadeSafe, message);
        }

        internal static string OneLine(string text) => Regex.Replace(text.Trim(), @"\s+", " ");
    }
}
