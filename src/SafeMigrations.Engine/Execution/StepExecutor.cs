using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;
using SafeMigrations.Sql;
using static SafeMigrations.Engine.Applying.MigrationEngine;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>
    /// Runs one planned step in its transaction mode (own transaction, none, batched, or the timestamptz index recipe),
    /// verifies it and records it in <c>safemigrations.state</c>, and runs a rolled-back step's undo; the commands of
    /// <see cref="MigrationEngine"/> decide which steps run. Lives as long as its engine: the pacing gate's baseline is
    /// kept from one command to the next.
    /// </summary>
    internal sealed class StepExecutor
    {
        private readonly EngineOptions _options;
        private readonly List<StepRecord> _records;
        private readonly Func<CancellationToken, Task<NpgsqlConnection>> _openSecondConnection;
        private readonly Action<PlanStep, string> _warn;
        private readonly Func<string, Exception, PlanStep, EngineException?> _explainSessionFailure;
        private ExecutorLock? _lock;
        private PacingGate? _pacing;

        /// <summary>
        /// Runs steps for an engine: <paramref name="records"/> is the engine's list of the current command's steps,
        /// <paramref name="openSecondConnection"/> opens a watcher session for index builds, <paramref name="warn"/> reports an
        /// SM1006 warning and <paramref name="explainSessionFailure"/> explains a stalled or broken session (null otherwise).
        /// </summary>
        internal StepExecutor(
            EngineOptions options,
            List<StepRecord> records,
            Func<CancellationToken, Task<NpgsqlConnection>> openSecondConnection,
            Action<PlanStep, string> warn,
            Func<string, Exception, PlanStep, EngineException?> explainSessionFailure)
        {
            _options = options;
            _records = records;
            _openSecondConnection = openSecondConnection;
            _warn = warn;
            _explainSessionFailure = explainSessionFailure;
        }

        /// <summary>The executor lock of the current command (null before it is taken, and for commands that take none).</summary>
        internal ExecutorLock? Lock
        {
            get => _lock;
            set => _lock = value;
        }

        private IEngineLog Log => _options.Log;

        internal async Task RunStepAsync(NpgsqlConnection connection, StepStateStore store, PlanStep step, Dictionary<(string, int), StepState> states, CancellationToken cancellationToken)
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
                    await RunInOwnTransactionAsync(connection, store, step, record, cancellationToken).ConfigureAwait(false);
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
                        await RunInOwnTransactionAsync(connection, store, step, record, cancellationToken).ConfigureAwait(false);
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

        internal static EngineException Explain(PlanStep step, Exception exception)
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

        private async Task RunInOwnTransactionAsync(NpgsqlConnection connection, StepStateStore store, PlanStep step, StepRecord record, CancellationToken cancellationToken)
        {
            var runner = new BlockingStepRunner(_options.LockPolicy());
            StepResult<int> result = await runner.RunAsync(connection, async (transaction, token) =>
            {
                int rows = await ExecuteAsync(connection, step.Sql, token, transaction).ConfigureAwait(false);
                // Recorded in the step's own transaction: a crash can never leave the step done but unrecorded.
                await store.RecordCompletionAsync(step.MigrationId, step.Index, transaction, token).ConfigureAwait(false);
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
                RunAsWrittenAsync = token => RunInOwnTransactionAsync(connection, store, step, record, token),
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
        /// <remarks>
        /// Not through <see cref="BlockingStepRunner"/>, whose loop wraps every attempt in a transaction (CONCURRENTLY refuses
        /// one) and also retries deadlocks, stops at the policy's time cap and wraps other errors in StepFailedException:
        /// here only 55P03 is retried, up to the attempt cap, and other errors escape as PostgreSQL raised them.
        /// </remarks>
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
            options.Note = line => Log.Info($"{step.Name}: {line}");
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

        private static async Task<bool> VerifyAsync(NpgsqlConnection connection, PlanStep step, CancellationToken cancellationToken)
        {
            // Under the step's carried settings: a search_path the migration set decides which table the check finds.
            await using StepSessionSettings settings = await StepSessionSettings.ApplyAsync(connection, step, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(step.VerificationSql, connection);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }

        internal static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
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

        internal async Task<int> RunUndoAsync(NpgsqlConnection connection, PlanStep step, CancellationToken cancellationToken)
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
        internal static EngineException Coded(StepFailedException failed, string what, string advice)
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

        private void Warn(PlanStep step, string warning) => _warn(step, warning);

        private EngineException? ExplainSessionFailure(string where, Exception exception, PlanStep step) => _explainSessionFailure(where, exception, step);

        private Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _openSecondConnection(cancellationToken);
    }
}
