using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>
    /// Runs a step that takes a blocking lock in its own short transaction with <c>SET LOCAL lock_timeout</c>, and
    /// retries it with jittered back-off when it times out waiting for a lock (55P03) or loses a deadlock (40P01).
    /// A waiting lock request blocks every later conflicting request (readers behind an ACCESS EXCLUSIVE request),
    /// so each wait is cut short and retried rather than allowed to queue the application behind a long transaction.
    /// </summary>
    public sealed class BlockingStepRunner
    {
        /// <summary>SQLSTATE lock_not_available, raised when lock_timeout expires.</summary>
        public const string LockNotAvailable = "55P03";

        /// <summary>SQLSTATE deadlock_detected.</summary>
        public const string DeadlockDetected = "40P01";

        private readonly LockRetryPolicy _policy;
        private readonly Random _random;
        private readonly AutovacuumYield _autovacuum = new AutovacuumYield();

        /// <summary>Creates a runner; the policy is validated here.</summary>
        public BlockingStepRunner(LockRetryPolicy? policy = null, Random? random = null)
        {
            _policy = policy ?? new LockRetryPolicy();
            _policy.Validate();
            _random = random ?? new Random();
        }

        /// <summary>The policy in use.</summary>
        public LockRetryPolicy Policy => _policy;

        /// <summary>More <c>SET LOCAL</c> statements for every attempt's transaction, sent with the lock_timeout (null for none).</summary>
        public string? TransactionSettings { get; set; }

        /// <summary>Runs SQL text (one or more statements) as one step; the value is the rows affected.</summary>
        public Task<StepResult<int>> RunSqlAsync(NpgsqlConnection connection, string sql, Action<StepAttempt>? onAttempt = null, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(sql))
                throw new ArgumentException("The step has no SQL.", nameof(sql));
            return RunAsync(
                connection,
                async (transaction, token) =>
                {
                    await using var command = new NpgsqlCommand(sql, connection, transaction);
                    return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                },
                onAttempt,
                cancellationToken);
        }

        /// <summary>
        /// Runs <paramref name="work"/> in a transaction on <paramref name="connection"/> (open, not in a transaction)
        /// with the policy's lock_timeout, retrying on lock timeouts and deadlocks until the cap.
        /// <paramref name="onAttempt"/> hears about every attempt as it ends.
        /// </summary>
        /// <exception cref="StepFailedException">A non-retryable error, or the cap was reached; every attempt was rolled back.</exception>
        public async Task<StepResult<T>> RunAsync<T>(
            NpgsqlConnection connection,
            Func<NpgsqlTransaction, CancellationToken, Task<T>> work,
            Action<StepAttempt>? onAttempt = null,
            CancellationToken cancellationToken = default)
        {
            if (connection is null)
                throw new ArgumentNullException(nameof(connection));
            if (work is null)
                throw new ArgumentNullException(nameof(work));
            if (connection.State != ConnectionState.Open)
                throw new InvalidOperationException("The connection must be open.");

            var attempts = new List<StepAttempt>();
            var total = Stopwatch.StartNew();
            TimeSpan backoff = TimeSpan.Zero;
            for (int number = 1; ; number++)
            {
                if (backoff > TimeSpan.Zero)
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);

                var attemptClock = Stopwatch.StartNew();
                try
                {
                    T value = await RunOnceAsync(connection, work, cancellationToken).ConfigureAwait(false);
                    Record(new StepAttempt(number, backoff, attemptClock.Elapsed, AttemptOutcome.Succeeded, null, null));
                    return new StepResult<T>(value, attempts, total.Elapsed);
                }
                catch (PostgresException exception) when (!cancellationToken.IsCancellationRequested)
                {
                    AttemptOutcome outcome = exception.SqlState switch
                    {
                        LockNotAvailable => AttemptOutcome.LockTimeout,
                        DeadlockDetected => AttemptOutcome.Deadlock,
                        _ => AttemptOutcome.Failed,
                    };
                    if (outcome == AttemptOutcome.Failed)
                    {
                        Record(new StepAttempt(number, backoff, attemptClock.Elapsed, outcome, exception.SqlState, exception.MessageText));
                        throw new StepFailedException($"The step failed: {exception.SqlState}: {exception.MessageText}", attempts, retriesExhausted: false, exception);
                    }

                    // Decided before the attempt is reported, so the last one never announces a retry.
                    TimeSpan next = _policy.Backoff(number, _random);
                    bool countCap = number >= _policy.MaxAttempts;
                    string? stop = countCap
                        ? $"{number} attempts (the maximum)"
                        : total.Elapsed + next + _policy.LockTimeout > _policy.MaxTotalTime
                            ? $"{number} attempts in {total.Elapsed.TotalSeconds:0.0} s (the time cap is {_policy.MaxTotalTime.TotalSeconds:0.#} s)"
                            : null;
                    Record(new StepAttempt(number, backoff, attemptClock.Elapsed, outcome, exception.SqlState, exception.MessageText, willRetry: stop is null));
                    if (stop is not null)
                        throw new StepFailedException(ExhaustedMessage(stop, outcome, _policy, countCap), attempts, retriesExhausted: true, exception);
                    backoff = next;
                }
                catch (NpgsqlException exception) when (!cancellationToken.IsCancellationRequested)
                {
                    Record(new StepAttempt(number, backoff, attemptClock.Elapsed, AttemptOutcome.Failed, null, exception.Message));
                    throw new StepFailedException($"The step failed: {exception.Message}", attempts, retriesExhausted: false, exception);
                }
            }

            void Record(StepAttempt attempt)
            {
                attempts.Add(attempt);
                onAttempt?.Invoke(attempt);
            }
        }

        /// <summary>
        /// Why a blocking step gave up, and the settings that change it: the runner's <c>--lock-timeout</c> and
        /// <c>--lock-retries</c>, MSBuild's <c>SafeMigrationsLockTimeout</c> and <c>SafeMigrationsLockRetries</c>.
        /// </summary>
        internal static string ExhaustedMessage(string stop, AttemptOutcome lastOutcome, LockRetryPolicy policy, bool countCap)
        {
            string lockTimeout = LockRetryPolicy.Milliseconds(policy.LockTimeout);
            string knobs = countCap
                ? "raise the lock timeout (--lock-timeout <ms>, SafeMigrationsLockTimeout) or the retries (--lock-retries <n>, SafeMigrationsLockRetries)"
                : "raise the lock timeout (--lock-timeout <ms>, SafeMigrationsLockTimeout); more retries do not help once the time cap is reached";
            return lastOutcome == AttemptOutcome.Deadlock
                ? $"Gave up after {stop}: the step kept losing deadlocks (40P01) against concurrent transactions. Nothing was changed; rerun when the competing writes have calmed down, or {knobs}."
                : $"Gave up after {stop}: each attempt waited longer than lock_timeout = {lockTimeout} for a lock (55P03). " +
                  "Another transaction holds a conflicting lock on a table this step needs (see pg_stat_activity for long-running or idle-in-transaction sessions). " +
                  $"Nothing was changed; rerun when it has finished, or {knobs}.";
        }

        private async Task<T> RunOnceAsync<T>(NpgsqlConnection connection, Func<NpgsqlTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        {
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // SET LOCAL: the setting dies with the transaction, so a pooled connection never keeps it.
                string settings = "SET LOCAL lock_timeout = '" + LockRetryPolicy.Milliseconds(_policy.LockTimeout) + "'";
                if (_policy.StatementTimeout is TimeSpan statementTimeout)
                    settings += "; SET LOCAL statement_timeout = '" + LockRetryPolicy.Milliseconds(statementTimeout) + "'";
                if (TransactionSettings is not null)
                    settings += "; " + TransactionSettings;
                // Last, in the same round trip: every batch of a backfill runs through here.
                if (_autovacuum.Statements is string yieldStatements)
                    settings += "; " + yieldStatements;
                try
                {
                    await using var command = new NpgsqlCommand(settings, connection, transaction);
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException refused)
                {
                    // The role may not set deadlock_timeout: the step runs with the server's value, as before.
                    if (!await _autovacuum.RecoverFromRefusalAsync(refused, connection, transaction, cancellationToken).ConfigureAwait(false))
                        throw;
                }

                T value = await work(transaction, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return value;
            }
            catch
            {
                await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
                throw;
            }
        }

        private static async Task RollbackQuietlyAsync(NpgsqlTransaction transaction)
        {
            try
            {
                if (transaction.Connection is not null)
                    await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // The connection broke; the server rolls back by itself.
            }
            catch (InvalidOperationException)
            {
                // Already completed.
            }
        }
    }
}
