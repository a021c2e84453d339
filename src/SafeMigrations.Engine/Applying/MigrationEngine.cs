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
    public sealed class MigrationEngine
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
        private ExecutorLock? _lock;
        private PacingGate? _pacing;

        /// <summary>Creates the engine over a loaded catalog.</summary>
        public MigrationEngine(MigrationCatalog catalog, EngineOptions options)
        {
            _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _planner = new MigrationPlanner(catalog);
        }

        private IEngineLog Log => _options.Log;

        /// <summary>The steps of the last run, for reports and tests.</summary>
        public IReadOnlyList<StepRecord> Records => _records;

        /// <summary>Migrations whose EF history row the last apply wrote (read under the executor lock, so never one another instance applied).</summary>
        public IReadOnlyList<string> HistoryWritten => _historyWritten;

        /// <summary>Plans one migration (no database needed).</summary>
        public MigrationPlan Plan(MigrationInfo migration) => _planner.Plan(migration);

        /// <summary>
        /// Prints the plan of every migration that still has steps to run in the selected phases (every migration up to
        /// the target when no connection string is set), with SM1006 warnings for what cannot be made safe.
        /// </summary>
        public async Task<IReadOnlyList<MigrationPlan>> PlanAsync(CancellationToken cancellationToken = default)
        {
            return await RunAsync("plan", async () =>
            {
                IReadOnlyList<MigrationInfo> upToTarget = MigrationsUpToTarget();
                var plans = new List<MigrationPlan>();
                HashSet<string>? applied = null;
                Dictionary<(string, int), StepState>? states = null;
                if (!string.IsNullOrWhiteSpace(_options.ConnectionString))
                {
                    await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                    applied = new HashSet<string>(_catalog.AppliedMigrationIds(), StringComparer.Ordinal);
                    states = await ReadStatesAsync(connection, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    Log.Info("no connection string: planning every migration (pending ones cannot be told apart)");
                }
                ProductionImpact? impact = ProductionImpact.Load(_options.StatisticsPath, Log);

                foreach (MigrationInfo migration in upToTarget)
                {
                    MigrationPlan plan = _planner.Plan(migration);
                    if (applied is not null && states is not null)
                    {
                        foreach (PlanDrift drift in RecordedProgressCheck.Find(new[] { migration }, _ => plan, applied, states, HistoryMarkerStep).Where(d => !d.NothingLeft))
                            Log.Warn(EngineCodes.PlanChanged, drift.Message);
                    }
                    var steps = plan.Steps.Where(step => WillRun(step, applied, states)).ToList();
                    if (steps.Count == 0 && (applied?.Contains(migration.Id) ?? false))
                        continue;
                    plans.Add(plan);
                    Log.Info($"{migration.Id}: {steps.Count} step(s) to run in phase {_options.Phase}" + (plan.Steps.Count > steps.Count ? $" ({plan.Steps.Count - steps.Count} done or in the other phase)" : string.Empty));
                    foreach (PlanStep step in steps)
                    {
                        Log.Info($"{step.Name} [{step.Phase.ToString().ToLowerInvariant()}] {MarkdownReport.Policy(step.Transaction)}; lock: {step.Lock}; verify: {step.VerificationDescription ?? "none"}" + (step.RewrittenFrom is null ? string.Empty : $"; rewritten from {step.RewrittenFrom}") + (step.RuleNote is null ? string.Empty : $"; {step.RuleNote}"));
                        Log.Info($"{step.Name} sql: {OneLine(step.Sql)}");
                        if (impact?.Describe(step) is string production)
                            Log.Info($"{step.Name} production: {production}");
                        if (SessionSettings.Describe(step) is string carried)
                            Log.Info($"{step.Name} runs with: {carried}");
                        if (step.NoUndoReason is not null)
                            Log.Info($"{step.Name} undo: none ({step.NoUndoReason})");
                        if (step.Warning is not null)
                            Warn(step, step.Warning);
                        _records.Add(new StepRecord(step, StepOutcome.Planned));
                    }
                }
                if (plans.Count == 0)
                    Log.Info("nothing to do: the database is up to date for phase " + _options.Phase);
                return (IReadOnlyList<MigrationPlan>)plans;
            }).ConfigureAwait(false);
        }

        private bool WillRun(PlanStep step, HashSet<string>? applied, Dictionary<(string, int), StepState>? states)
        {
            if (!PhaseSelected(step.Phase))
                return false;
            if (applied is null || states is null)
                return true;
            if (states.TryGetValue((step.MigrationId, step.Index), out StepState? state) && state.Status == StepStatus.Completed)
                return false;
            // Applied by plain EF (history row, no SafeMigrations record): nothing left.
            return !(applied.Contains(step.MigrationId) && !states.ContainsKey((step.MigrationId, HistoryMarkerStep)));
        }

        private bool PhaseSelected(MigrationPhase phase) => _options.Phase == PhaseSelection.All
            || (phase == MigrationPhase.Expand && _options.Phase == PhaseSelection.Expand)
            || (phase == MigrationPhase.Contract && _options.Phase == PhaseSelection.Contract);

        /// <summary>Applies the selected phases of every migration up to the target.</summary>
        /// <exception cref="EngineException">A step failed (the message names it); completed steps stay recorded.</exception>
        public Task ApplyAsync(CancellationToken cancellationToken = default)
        {
            return RunAsync("apply", async () =>
            {
                IReadOnlyList<MigrationInfo> upToTarget = MigrationsUpToTarget();
                await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                await using ExecutorLock executorLock = await AcquireLockAsync(connection, cancellationToken).ConfigureAwait(false);
                var store = new StepStateStore(connection);
                await store.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, _catalog.HistoryCreateIfNotExistsSql, cancellationToken).ConfigureAwait(false);
                var applied = new HashSet<string>(_catalog.AppliedMigrationIds(), StringComparer.Ordinal);
                Dictionary<(string, int), StepState> states = await ReadStatesAsync(connection, cancellationToken).ConfigureAwait(false);
                foreach (PlanDrift drift in RecordedProgressCheck.Find(upToTarget, _planner.Plan, applied, states, HistoryMarkerStep).Where(d => !d.NothingLeft))
                {
                    if (!drift.OnlyEditedInPlace || _options.AcceptEditedMigration is null || _catalog.Find(_options.AcceptEditedMigration).Id != drift.Migration.Id)
                        throw new EngineException(EngineCodes.PlanChanged, drift.Message);
                    await drift.AcceptAsync(store, _planner.Plan(drift.Migration), cancellationToken).ConfigureAwait(false);
                    Log.Warn(EngineCodes.PlanChanged, $"{drift.Migration.Id}: accepted as edited in place ({string.Join("; ", drift.Mismatches.Select(m => "step " + m.StepIndex))}): the new SQL of these steps is recorded as what ran");
                }

                int ran = 0;
                ContractGate? gate = _options.ContractGate is null ? null : new ContractGate(_options.ContractGate, Log, reuseFirstSample: _options.Phase == PhaseSelection.Contract);
                foreach (MigrationInfo migration in upToTarget)
                {
                    bool isApplied = applied.Contains(migration.Id);
                    bool managed = states.ContainsKey((migration.Id, HistoryMarkerStep));
                    if (isApplied && !managed)
                        continue; // applied by plain EF: every step already ran

                    MigrationPlan plan = _planner.Plan(migration);
                    foreach (PlanStep step in plan.Steps.Where(s => s.Warning is not null && PhaseSelected(s.Phase)))
                        Warn(step, step.Warning!);

                    if (!isApplied)
                    {
                        if (_options.Phase == PhaseSelection.Contract)
                        {
                            Log.Info($"{migration.Id}: its expand phase has not run; stopping here (run the expand phase first)");
                            break;
                        }
                        foreach (PlanStep step in plan.ExpandSteps)
                            await RunStepAsync(connection, store, step, states, cancellationToken).ConfigureAwait(false);
                        await WriteHistoryAsync(connection, migration.Id, cancellationToken).ConfigureAwait(false);
                        applied.Add(migration.Id);
                        _historyWritten.Add(migration.Id);
                        Log.Info($"{migration.Id}: expand phase complete; EF history row written");
                        ran++;
                    }

                    if (_options.Phase != PhaseSelection.Expand)
                    {
                        var contract = plan.ContractSteps.ToList();
                        if (gate is not null)
                            await gate.CheckAsync(connection, migration.Id, contract.Where(s => !IsCompleted(states, s)).ToList(), cancellationToken).ConfigureAwait(false);
                        foreach (PlanStep step in contract)
                            await RunStepAsync(connection, store, step, states, cancellationToken).ConfigureAwait(false);
                        if (contract.Count > 0)
                        {
                            Log.Info($"{migration.Id}: contract phase complete");
                            ran++;
                        }
                    }
                    else if (plan.ContractSteps.Any(s => !IsCompleted(states, s)))
                    {
                        Log.Info($"{migration.Id}: {plan.ContractSteps.Count(s => !IsCompleted(states, s))} contract step(s) wait for the contract phase (after the new app version is rolled out)");
                    }
                }
                if (ran == 0)
                    Log.Info("nothing to do: the database is up to date for phase " + _options.Phase);
                return 0;
            });
        }

        /// <summary>Prints each migration's state: pending, expand done with contract waiting, or fully applied.</summary>
        public Task StatusAsync(CancellationToken cancellationToken = default)
        {
            return RunAsync("status", async () =>
            {
                await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                var applied = new HashSet<string>(_catalog.AppliedMigrationIds(), StringComparer.Ordinal);
                Dictionary<(string, int), StepState> states = await ReadStatesAsync(connection, cancellationToken).ConfigureAwait(false);
                foreach (MigrationInfo migration in _catalog.Migrations)
                {
                    bool managed = states.ContainsKey((migration.Id, HistoryMarkerStep));
                    if (applied.Contains(migration.Id) && !managed)
                    {
                        Log.Info($"{migration.Id}: applied (by EF Core)");
                        continue;
                    }
                    MigrationPlan plan = _planner.Plan(migration);
                    foreach (PlanDrift drift in RecordedProgressCheck.Find(new[] { migration }, _ => plan, applied, states, HistoryMarkerStep))
                    {
                        if (drift.NothingLeft)
                            Log.Info($"{migration.Id}: edited after it was applied ({string.Join("; ", drift.Mismatches)}); nothing of it runs again, so this changes nothing in the database");
                        else
                            Log.Warn(EngineCodes.PlanChanged, drift.Message);
                    }
                    int expandDone = plan.ExpandSteps.Count(s => IsCompleted(states, s));
                    int contractDone = plan.ContractSteps.Count(s => IsCompleted(states, s));
                    string phases = $"expand {expandDone}/{plan.ExpandSteps.Count()}, contract {contractDone}/{plan.ContractSteps.Count()}";
                    string status = applied.Contains(migration.Id)
                        ? contractDone < plan.ContractSteps.Count() ? "expanded, contract pending" : "applied"
                        : expandDone > 0 ? "partially expanded (a rerun of apply resumes)" : "pending";
                    Log.Info($"{migration.Id}: {status} ({phases})");
                    foreach (PlanStep step in plan.Steps)
                    {
                        if (states.TryGetValue((migration.Id, step.Index), out StepState? state) && state.Status == StepStatus.Failed)
                            Log.Warn(state.ErrorCode ?? EngineCodes.StepFailed, RecordedFailure.StatusLine(step, state));
                    }
                    foreach (InvalidIndex leftover in await InvalidIndexReport.FindAsync(connection, plan.Steps, cancellationToken).ConfigureAwait(false))
                        Log.Warn(EngineCodes.StepFailed, leftover.Message);
                }
                return 0;
            });
        }

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
                        await _lock!.EnsureHeldAsync(cancellationToken).ConfigureAwait(false);
                        var record = new StepRecord(step, StepOutcome.RolledBack);
                        var clock = Stopwatch.StartNew();
                        if (step.UndoSql is not null)
                        {
                            Log.Info($"{step.Name}: undo: {OneLine(step.UndoSql!)}");
                            record.Retries = await RunUndoAsync(connection, step, cancellationToken).ConfigureAwait(false);
                        }
                        await store.RemoveAsync(step.MigrationId, step.Index, cancellationToken).ConfigureAwait(false);
                        record.Duration = clock.Elapsed;
                        _records.Add(record);
                    }
                    await DeleteHistoryAsync(connection, plan.Migration.Id, cancellationToken).ConfigureAwait(false);
                    Log.Info($"{plan.Migration.Id}: rolled back; EF history row deleted");
                }
                return 0;
            });
        }

        private async Task<int> RunUndoAsync(NpgsqlConnection connection, PlanStep step, CancellationToken cancellationToken)
        {
            try
            {
                // The undo converts back under the settings the step ran with (a timestamptz undo under another zone shifts every value).
                await using (await StepSessionSettings.ApplyAsync(connection, step, cancellationToken).ConfigureAwait(false))
                    return await RunUndoStatementsAsync(connection, step, cancellationToken).ConfigureAwait(false);
            }
            catch (StepFailedException failed)
            {
                // Coded like a step of apply (an undo used to escape as an "unexpected" exception); the undo's own transaction rolled back.
                throw Coded(failed, $"{step.Name}: undo failed", UndoRerunAdvice);
            }
            catch (NpgsqlException failed)
            {
                string reason = failed is PostgresException postgres ? $"{postgres.SqlState}: {postgres.MessageText}" : failed.Message;
                throw new EngineException(EngineCodes.StepFailed, $"{step.Name}: undo failed: {OneLine(reason)}; {UndoRerunAdvice}", failed);
            }
        }

        /// <summary>A failure of the engine's own short transactions (undo, history row), coded like a step's: SM1003 when the lock retries ran out, else SM1002.</summary>
        private static EngineException Coded(StepFailedException failed, string what, string advice)
            => new EngineException(failed.RetriesExhausted ? EngineCodes.LockRetriesExhausted : EngineCodes.StepFailed, $"{what}: {OneLine(failed.Message)}; {advice}", failed);

        private const string UndoRerunAdvice = "the steps undone before it are recorded as such, so a rerun of rollback goes on from this step";

        private async Task<int> RunUndoStatementsAsync(NpgsqlConnection connection, PlanStep step, CancellationToken cancellationToken)
        {
            int retries = 0;
            var concurrent = new List<string>();
            var transactional = new List<string>();
            foreach (SqlStatement statement in StatementScanner.Scan(step.UndoSql!))
            {
                if (statement.Concurrently)
                {
                    await RunTransactionalAsync(transactional).ConfigureAwait(false);
                    retries += await RunAutocommitAsync(connection, statement.Text, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    transactional.Add(statement.Text.Trim().TrimEnd(';') + ";");
                }
            }
            await RunTransactionalAsync(transactional).ConfigureAwait(false);
            return retries;

            async Task RunTransactionalAsync(List<string> statements)
            {
                if (statements.Count == 0)
                    return;
                StepResult<int> result = await new BlockingStepRunner(_options.LockPolicy()).RunSqlAsync(connection, string.Join("\n", statements), null, cancellationToken).ConfigureAwait(false);
                retries += result.Attempts.Count - 1;
                statements.Clear();
            }
        }

        private async Task RunStepAsync(NpgsqlConnection connection, StepStateStore store, PlanStep step, Dictionary<(string, int), StepState> states, CancellationToken cancellationToken)
        {
            states.TryGetValue((step.MigrationId, step.Index), out StepState? previous);
            if (previous?.Status == StepStatus.Completed)
            {
                _records.Add(new StepRecord(step, StepOutcome.AlreadyCompleted));
                return;
            }

            var record = new StepRecord(step, StepOutcome.Completed);
            _records.Add(record);
            var clock = Stopwatch.StartNew();
            try
            {
                if (_lock is not null)
                    await _lock.EnsureHeldAsync(cancellationToken).ConfigureAwait(false);
                if (step.SkipWhenVerified && step.VerificationSql is not null && await VerifyAsync(connection, step, cancellationToken).ConfigureAwait(false))
                {
                    await store.RecordStartAsync(step.MigrationId, step.Index, step.Kind, StepFingerprint.Of(step), cancellationToken).ConfigureAwait(false);
                    await store.RecordCompletionAsync(step.MigrationId, step.Index, cancellationToken).ConfigureAwait(false);
                    record.Outcome = StepOutcome.AlreadyInPlace;
                    record.Verified = true;
                    Log.Info($"{step.Name}: already in place ({step.VerificationDescription}); recorded");
                    return;
                }

                Log.Info($"{step.Name}: running ({MarkdownReport.Policy(step.Transaction)})");
                await store.RecordStartAsync(step.MigrationId, step.Index, step.Kind, StepFingerprint.Of(step), cancellationToken).ConfigureAwait(false);
                if (_options.StepObserver is IStepObserver observer)
                    await observer.BeforeStepAsync(step, connection, cancellationToken).ConfigureAwait(false);
                try
                {
                    await using (await StepSessionSettings.ApplyAsync(connection, step, cancellationToken).ConfigureAwait(false))
                        await RunStepBodyAsync(connection, store, step, record, previous, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception failure) when (_options.StepObserver is not null)
                {
                    await _options.StepObserver.AfterStepAsync(step, connection, failure, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
                if (_options.StepObserver is IStepObserver after)
                    await after.AfterStepAsync(step, connection, null, cancellationToken).ConfigureAwait(false);

                if (step.VerificationSql is not null && record.Verified != true)
                {
                    record.Verified = await VerifyAsync(connection, step, cancellationToken).ConfigureAwait(false);
                    if (record.Verified == false)
                        throw new EngineException(EngineCodes.VerificationFailed, $"{step.Name}: the step ran but its verification does not hold ({step.VerificationDescription}: {step.VerificationSql}); inspect the table, fix it by hand or roll back, then rerun apply.");
                }
                if (step.Transaction != StepTransaction.Own)
                    await store.RecordCompletionAsync(step.MigrationId, step.Index, cancellationToken).ConfigureAwait(false);
                record.Duration = clock.Elapsed;
                Log.Info($"{step.Name}: done in {clock.Elapsed.TotalMilliseconds:0} ms" + (record.Retries > 0 ? $" after {record.Retries} lock retries" : string.Empty) + (record.Rows is long rows ? $", {rows} rows" : string.Empty) + (record.Verified == true ? $"; verified: {step.VerificationDescription}" : string.Empty));
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                record.Outcome = StepOutcome.Failed;
                record.Duration = clock.Elapsed;
                EngineException failure = ExplainSessionFailure(step.Name, exception, step) ?? Explain(step, exception);
                if (failure.Code == EngineCodes.LockRetriesExhausted)
                    failure = await RecordedFailure.WithLockHoldersAsync(connection, step, failure).ConfigureAwait(false);
                record.Error = failure.Message;
                await RecordFailureQuietlyAsync(store, step, failure.Message, failure.Code).ConfigureAwait(false);
                throw failure;
            }
            catch (OperationCanceledException)
            {
                record.Outcome = StepOutcome.Failed;
                record.Duration = clock.Elapsed;
                record.Error = "cancelled";
                await RecordFailureQuietlyAsync(store, step, "cancelled", EngineCodes.Cancelled).ConfigureAwait(false);
                throw;
            }
        }

        private async Task RunStepBodyAsync(NpgsqlConnection connection, StepStateStore store, PlanStep step, StepRecord record, StepState? previous, CancellationToken cancellationToken)
        {
            switch (step.Transaction)
            {
                case StepTransaction.Own:
                    await RunInOwnTransactionAsync(connection, step, record, cancellationToken).ConfigureAwait(false);
                    break;
                case StepTransaction.None when step.TimeZoneIndexes is not null:
                    await RunTimestampTzAsync(connection, store, step, record, previous?.Position, cancellationToken).ConfigureAwait(false);
                    break;
                case StepTransaction.None:
                    await RunWithoutTransactionAsync(connection, step, record, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    try
                    {
                        await RunBackfillAsync(connection, store, step, record, previous?.Position, cancellationToken).ConfigureAwait(false);
                    }
                    catch (BackfillKeyException noKey) when (step.Backfill!.AsWrittenWithoutKey)
                    {
                        // A run-time statement the planner batched, on a table with no key to walk: it runs as written.
                        Log.Warn(EngineCodes.CannotBeMadeSafe, $"{step.Name}: {OneLine(noKey.Message)} Running the statement as written, in one transaction.");
                        await RunInOwnTransactionAsync(connection, step, record, cancellationToken).ConfigureAwait(false);
                    }
                    break;
            }
        }

        private static async Task RecordFailureQuietlyAsync(StepStateStore store, PlanStep step, string error, string code)
        {
            try
            {
                await store.RecordFailureAsync(step.MigrationId, step.Index, error, code, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is NpgsqlException || exception is InvalidOperationException)
            {
                // The connection is gone; the row stays 'running', which a rerun treats the same way.
            }
        }

        private static EngineException Explain(PlanStep step, Exception exception)
        {
            switch (exception)
            {
                case EngineException engine:
                    return engine;
                case IndexBuildWaitException wait:
                    return new EngineException(EngineCodes.IndexBuildWaitTimeout, $"{step.Name}: {OneLine(wait.Message)}", exception);
                case StepFailedException failed when failed.RetriesExhausted:
                    return new EngineException(EngineCodes.LockRetriesExhausted, $"{step.Name}: {OneLine(failed.Message)}", exception);
                case StepFailedException failed:
                    return new EngineException(EngineCodes.StepFailed, $"{step.Name}: {OneLine(failed.Message)}; fix the cause and rerun apply (completed steps are skipped)", exception);
                case PacingStopException paced:
                    return new EngineException(paced.Code, $"{step.Name}: {OneLine(paced.Message)}", exception);
                case BackfillKeyException key:
                    return new EngineException(EngineCodes.StepFailed, $"{step.Name}: {OneLine(key.Message)}", exception);
                case PostgresException postgres:
                    return new EngineException(EngineCodes.StepFailed, $"{step.Name}: {postgres.SqlState}: {OneLine(postgres.MessageText)}; fix the cause and rerun apply (completed steps are skipped)", exception);
                default:
                    return new EngineException(EngineCodes.StepFailed, $"{step.Name}: {OneLine(exception.Message)}; fix the cause and rerun apply (completed steps are skipped)", exception);
            }
        }

        private async Task RunInOwnTransactionAsync(NpgsqlConnection connection, PlanStep step, StepRecord record, CancellationToken cancellationToken)
        {
            var runner = new BlockingStepRunner(_options.LockPolicy());
            string markCompleted = $"UPDATE {SqlIdentifier.Qualify(StepStateStore.SchemaName, StepStateStore.TableName)} SET status = 'completed', finished_at = now(), error = NULL WHERE migration_id = {CatalogChecks.Literal(step.MigrationId)} AND step_index = {step.Index}";
            StepResult<int> result = await runner.RunAsync(connection, async (transaction, token) =>
            {
                int rows = await ExecuteAsync(connection, step.Sql, token, transaction).ConfigureAwait(false);
                // Recorded in the step's own transaction: a crash can never leave the step done but unrecorded.
                await ExecuteAsync(connection, markCompleted, token, transaction).ConfigureAwait(false);
                if (_options.StepObserver is IStepObserver observer)
                    await observer.BeforeCommitAsync(step, connection, transaction, token).ConfigureAwait(false);
                return rows;
            }, attempt => OnAttempt(step, attempt), cancellationToken).ConfigureAwait(false);
            record.Retries = result.Attempts.Count - 1;
            if (result.Value > 0)
                record.Rows = result.Value;
        }

        private void OnAttempt(PlanStep step, StepAttempt attempt)
        {
            if (attempt.Outcome == AttemptOutcome.LockTimeout || attempt.Outcome == AttemptOutcome.Deadlock)
                Log.Progress($"{step.Name}: attempt {attempt.Number} {(attempt.Outcome == AttemptOutcome.Deadlock ? "lost a deadlock" : $"timed out waiting for a lock (lock_timeout {LockRetryPolicy.Milliseconds(_options.LockTimeout)})")}; {(attempt.WillRetry ? "retrying" : "giving up")}");
        }

        /// <summary>timestamp ↔ timestamptz under UTC: the column's plain indexes dropped and built again concurrently around the type change.</summary>
        private Task RunTimestampTzAsync(NpgsqlConnection connection, StepStateStore store, PlanStep step, StepRecord record, string? savedPosition, CancellationToken cancellationToken)
        {
            var recipe = new TimestampTzIndexRecipe(step)
            {
                SavePositionAsync = (position, token) => store.RecordProgressAsync(step.MigrationId, step.Index, position, token),
                RunAutocommitAsync = async (sql, token) => record.Retries += await RunAutocommitAsync(connection, sql, token, step).ConfigureAwait(false),
                RunTransactionAsync = async (sql, token) => record.Retries += (await new BlockingStepRunner(_options.LockPolicy()).RunSqlAsync(connection, sql, attempt => OnAttempt(step, attempt), token).ConfigureAwait(false)).Attempts.Count - 1,
                BuildIndexAsync = (sql, token) => BuildIndexConcurrentlyAsync(connection, step, sql, token),
                Info = line => Log.Info($"{step.Name}: {line}"),
                Warn = line => Warn(step, line),
            };
            return recipe.RunAsync(connection, savedPosition, cancellationToken);
        }

        private async Task BuildIndexConcurrentlyAsync(NpgsqlConnection connection, PlanStep step, string sql, CancellationToken cancellationToken)
        {
            var index = new ConcurrentIndexStep(sql)
            {
                DropPolicy = _options.LockPolicy(),
                WaitTimeout = _options.IndexWaitTimeout > TimeSpan.Zero ? _options.IndexWaitTimeout : null,
                Progress = line => Log.Progress($"{step.Name}: {line}"),
                OpenSecondConnection = OpenAsync,
            };
            ConcurrentIndexResult result = await index.RunAsync(connection, cancellationToken).ConfigureAwait(false);
            if (result.DroppedInvalidLeftover)
                Log.Info($"{step.Name}: dropped an invalid index left by an earlier failed build, and rebuilt it");
        }

        private async Task RunWithoutTransactionAsync(NpgsqlConnection connection, PlanStep step, StepRecord record, CancellationToken cancellationToken)
        {
            IReadOnlyList<SqlStatement> statements = StatementScanner.Scan(step.Sql);
            foreach (SqlStatement statement in statements)
            {
                if (statement.Kind == StatementKind.CreateIndex && statement.Concurrently && statement.Index is not null)
                {
                    await BuildIndexConcurrentlyAsync(connection, step, statement.Text.Trim(), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    record.Retries += await RunAutocommitAsync(connection, statement.Text, cancellationToken, step).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Runs one statement outside a transaction with a session lock_timeout, retrying lock timeouts like the blocking runner.</summary>
        private async Task<int> RunAutocommitAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, PlanStep? step = null)
        {
            LockRetryPolicy policy = _options.LockPolicy();
            var random = new Random();
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await ExecuteAsync(connection, $"SET lock_timeout = '{LockRetryPolicy.Milliseconds(policy.LockTimeout)}'", cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
                    return attempt - 1;
                }
                catch (PostgresException exception) when (exception.SqlState == BlockingStepRunner.LockNotAvailable && attempt < policy.MaxAttempts)
                {
                    if (step is not null)
                        OnAttempt(step, new StepAttempt(attempt, TimeSpan.Zero, TimeSpan.Zero, AttemptOutcome.LockTimeout, exception.SqlState, exception.MessageText, willRetry: true));
                    await Task.Delay(policy.Backoff(attempt, random), cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException exception) when (exception.SqlState == BlockingStepRunner.LockNotAvailable)
                {
                    if (step is not null)
                        OnAttempt(step, new StepAttempt(attempt, TimeSpan.Zero, TimeSpan.Zero, AttemptOutcome.LockTimeout, exception.SqlState, exception.MessageText, willRetry: false));
                    throw new StepFailedException(BlockingStepRunner.ExhaustedMessage($"{attempt} attempts (the maximum)", AttemptOutcome.LockTimeout, policy, countCap: true), Array.Empty<StepAttempt>(), retriesExhausted: true, exception);
                }
                finally
                {
                    await ExecuteQuietlyAsync(connection, "RESET lock_timeout").ConfigureAwait(false);
                }
            }
        }

        private async Task RunBackfillAsync(NpgsqlConnection connection, StepStateStore store, PlanStep step, StepRecord record, string? savedPosition, CancellationToken cancellationToken)
        {
            BackfillSpec spec = step.Backfill!;
            KeysetBackfill backfill = spec.StatementKind == KeysetStatementKind.Delete
                ? KeysetBackfill.Delete(spec.Schema, spec.Table, spec.Where)
                : new KeysetBackfill(spec.Schema, spec.Table, spec.Set, spec.Where);
            backfill.KeyColumns = spec.KeyColumns;
            backfill.VerificationQuery = spec.CountRemainingSql;
            backfill.RemainingPredicate = spec.RemainingWhere;
            var options = new BackfillOptions
            {
                LockPolicy = _options.LockPolicy(),
                TargetBatchDuration = _options.BackfillBatchDuration,
                PauseBetweenBatches = _options.BackfillPause,
                LockAttempt = attempt => OnAttempt(step, attempt),
            };
            if (spec.BatchSize is int size && size > 0)
            {
                options.InitialBatchSize = size;
                options.MaxBatchSize = Math.Max(options.MaxBatchSize, size);
            }
            if (savedPosition is not null)
            {
                options.ResumeFrom = BackfillPosition.Parse(savedPosition);
                Log.Info($"{step.Name}: resuming {options.ResumeFrom.Describe()}");
            }
            DateTime lastReport = DateTime.MinValue;
            // In the batch's transaction (the store's commands run on this connection): the batch and its position commit together.
            options.RecordPositionAsync = (transaction, position, token) => store.RecordProgressAsync(step.MigrationId, step.Index, position.Serialize(), token);
            (options.Workers, options.OpenConnectionAsync) = (_options.BackfillWorkers, OpenAsync);
            options.RecordSegmentAsync = (transaction, segment, json, token) => StepStateStore.RecordSegmentAsync(transaction, step.MigrationId, step.Index, segment, json, token);
            options.Progress = progress =>
            {
                if (DateTime.UtcNow - lastReport > TimeSpan.FromSeconds(1))
                {
                    lastReport = DateTime.UtcNow;
                    Log.Progress($"{step.Name}: {progress}");
                }
            };
            if (_lock is not null)
                options.BeforeBatchAsync = _lock.EnsureSessionAliveAsync;
            if (_options.Pacing is { Enabled: true })
            {
                // One gate per run: the probe's baseline is taken before the first batch of the first batched step.
                options.Pacing = _pacing ??= new PacingGate(_options.Pacing);
                _pacing.Report = line => Log.Info($"{step.Name}: {line}");
            }
            _options.ConfigureBackfill?.Invoke(options);
            BackfillResult result = await backfill.RunAsync(connection, options, cancellationToken).ConfigureAwait(false);
            record.Rows = result.RowsUpdated;
            record.Retries = result.Retries;
            // The backfill's own last check counted the step's verification predicate: a second full scan proves nothing more.
            if (result.RemainingRows == 0 && spec.CountRemainingSql is null && step.VerificationSql == CatalogChecks.NoRowMatches(spec.Schema, spec.Table, spec.Where))
                record.Verified = true;
        }

        private async Task WriteHistoryAsync(NpgsqlConnection connection, string migrationId, CancellationToken cancellationToken)
        {
            string insert = _catalog.HistoryInsertSql(migrationId);
            string marker = $@"INSERT INTO {SqlIdentifier.Qualify(StepStateStore.SchemaName, StepStateStore.TableName)} (migration_id, step_index, step_kind, status, attempts, finished_at)
VALUES ({CatalogChecks.Literal(migrationId)}, {HistoryMarkerStep}, 'history', 'completed', 1, now())
ON CONFLICT (migration_id, step_index) DO UPDATE SET status = 'completed', finished_at = now()";
            try
            {
                await new BlockingStepRunner(_options.LockPolicy()).RunAsync(connection, async (transaction, token) =>
                {
                    await ExecuteAsync(connection, insert, token, transaction).ConfigureAwait(false);
                    await ExecuteAsync(connection, marker, token, transaction).ConfigureAwait(false);
                    return 0;
                }, null, cancellationToken).ConfigureAwait(false);
            }
            catch (StepFailedException failed)
            {
                // Coded like a step: a connection lost right after the last step's commit used to surface as "unexpected".
                throw Coded(failed, $"{migrationId}: writing its EF history row failed", "every expand step is recorded as done, so a rerun of apply only writes the row.");
            }
        }

        private async Task DeleteHistoryAsync(NpgsqlConnection connection, string migrationId, CancellationToken cancellationToken)
        {
            string deleteHistory = _catalog.HistoryDeleteSql(migrationId);
            try
            {
                await new BlockingStepRunner(_options.LockPolicy()).RunAsync(connection, async (transaction, token) =>
                {
                    await ExecuteAsync(connection, deleteHistory, token, transaction).ConfigureAwait(false);
                    await ExecuteAsync(connection, $"DELETE FROM {SqlIdentifier.Qualify(StepStateStore.SchemaName, StepStateStore.TableName)} WHERE migration_id = {CatalogChecks.Literal(migrationId)}", token, transaction).ConfigureAwait(false);
                    return 0;
                }, null, cancellationToken).ConfigureAwait(false);
            }
            catch (StepFailedException failed)
            {
                throw Coded(failed, $"{migrationId}: deleting its EF history row failed", "every step is undone, so a rerun of rollback only deletes the row.");
            }
        }

        private static bool IsCompleted(Dictionary<(string, int), StepState> states, PlanStep step)
            => states.TryGetValue((step.MigrationId, step.Index), out StepState? state) && state.Status == StepStatus.Completed;

        /// <summary>A batched step that stopped part way (failed or cancelled) has committed the batches before its saved position; a timestamptz index recipe with a saved position may have dropped indexes.</summary>
        private static bool HasCommittedBatches(Dictionary<(string, int), StepState> states, PlanStep step)
            => (step.Transaction == StepTransaction.Batched || step.TimeZoneIndexes is not null) && states.TryGetValue((step.MigrationId, step.Index), out StepState? state) && state.Position is not null;

        private static async Task<bool> VerifyAsync(NpgsqlConnection connection, PlanStep step, CancellationToken cancellationToken)
        {
            // Under the step's carried settings: a search_path the migration set decides which table the check finds.
            await using StepSessionSettings settings = await StepSessionSettings.ApplyAsync(connection, step, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(step.VerificationSql, connection);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }

        private IReadOnlyList<MigrationInfo> MigrationsUpToTarget()
        {
            if (_options.Target is null)
                return _catalog.Migrations;
            MigrationInfo target = _catalog.Find(_options.Target);
            return _catalog.Migrations.Where(m => string.CompareOrdinal(m.Id, target.Id) <= 0).ToList();
        }

        private async Task<Dictionary<(string, int), StepState>> ReadStatesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            await using (var exists = new NpgsqlCommand($"SELECT to_regclass({CatalogChecks.Literal(SqlIdentifier.Qualify(StepStateStore.SchemaName, StepStateStore.TableName))}) IS NOT NULL", connection))
            {
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
                    return new Dictionary<(string, int), StepState>();
            }
            IReadOnlyList<StepState> rows = await new StepStateStore(connection).ListAsync(null, cancellationToken).ConfigureAwait(false);
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
                _lock = await ExecutorLock.AcquireAsync(connection, _options.EarlierExecutorWait, message => Log.Progress(message), cancellationToken).ConfigureAwait(false);
                return _lock;
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
            _lock = null;
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
            => SessionFailure.Explain(where, exception, _session, _options.StatementTimeout, _options.IdleInTransactionTimeout, _lock?.BackendPid, step is null || exception is EngineException ? null : Explain(step, exception));

        private void Warn(PlanStep step, string warning)
        {
            string message = $"{step.Name}: {warning}";
            _warnings.Add(EngineCodes.CannotBeMadeSafe + ": " + message);
            Log.Warn(EngineCodes.CannotBeMadeSafe, message);
        }

        private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        private static async Task ExecuteQuietlyAsync(NpgsqlConnection connection, string sql)
        {
            try
            {
                await ExecuteAsync(connection, sql, CancellationToken.None).ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // A broken connection resets everything anyway.
            }
        }

        internal static string OneLine(string text) => Regex.Replace(text.Trim(), @"\s+", " ");
    }
}
