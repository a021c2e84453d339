using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Execution;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>
    /// Walks the segments of a key range on several connections at once, each segment by the batches of the single
    /// walk (the same statement, size adaptation and SKIP LOCKED), each batch recording its segment's state in its own
    /// transaction. The pacing gate and the executor-lock check run before every batch on the main connection, one
    /// worker at a time; a failing worker stops the others, and the first real failure is the step's.
    /// </summary>
    internal sealed class ParallelBackfill
    {
        private static readonly string[] SessionEnded = { PostgresErrorCodes.AdminShutdown, PostgresErrorCodes.CrashShutdown, PostgresErrorCodes.CannotConnectNow };

        private readonly KeysetStatements _statements;
        private readonly BackfillOptions _options;
        private readonly IReadOnlyList<string> _keyNames;
        private readonly bool _skipLocked;
        private readonly string _verb;
        private readonly long? _estimatedTotal;
        private readonly Stopwatch _clock;
        private readonly int _firstBatch;
        private readonly BackfillSegment[] _segments;
        private readonly Queue<int> _todo;
        private readonly long _visitedAtStart;
        private readonly object _sync = new object();
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private Exception? _failure;
        private int _workers = 1;

        public ParallelBackfill(KeysetStatements statements, BackfillOptions options, IReadOnlyList<string> keyNames, bool skipLocked, string verb, long? estimatedTotal, Stopwatch clock, int firstBatch, IReadOnlyList<BackfillSegment> segments)
        {
            _statements = statements;
            _options = options;
            _keyNames = keyNames;
            _skipLocked = skipLocked;
            _verb = verb;
            _estimatedTotal = estimatedTotal;
            _clock = clock;
            _firstBatch = firstBatch;
            _segments = segments.ToArray();
            _todo = new Queue<int>(Enumerable.Range(0, _segments.Length).Where(i => !_segments[i].Done));
            _visitedAtStart = _segments.Sum(s => s.RowsVisited);
        }

        public long RowsUpdated { get; private set; }

        public int Batches { get; private set; }

        public int Retries { get; private set; }

        /// <summary>The segments as they stand now.</summary>
        public BackfillPosition Position
        {
            get
            {
                lock (_sync)
                    return new BackfillPosition(_keyNames, _segments.ToArray());
            }
        }

        /// <summary>Runs every unfinished segment; <paramref name="recordSplit"/> first saves the segments (a fresh split).</summary>
        public async Task RunAsync(NpgsqlConnection main, bool recordSplit, CancellationToken cancellationToken)
        {
            if (recordSplit && _options.RecordPositionAsync is not null)
            {
                // Before any batch: a kill after this resumes the same segments, whatever the worker count then.
                await using NpgsqlTransaction transaction = await main.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await _options.RecordPositionAsync(transaction, Position, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            int workers = Math.Min(_options.Workers, _todo.Count);
            if (workers == 0)
                return;
            (workers, string? capped) = await ConnectionHeadroom.CapAsync(main, workers, cancellationToken).ConfigureAwait(false);
            if (capped is not null)
                _options.Note?.Invoke(capped);
            _workers = workers;

            // One worker walks on the main connection itself; several each get a session like it.
            IReadOnlyList<(string Name, string Value)> settings = workers > 1
                ? await ReadSessionSettingsAsync(main, cancellationToken).ConfigureAwait(false)
                : Array.Empty<(string, string)>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => RunWorkerAsync(main, w, workers, settings, stop))).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (_failure is not null)
                ExceptionDispatchInfo.Capture(_failure).Throw();
        }

        private async Task RunWorkerAsync(NpgsqlConnection main, int worker, int workers, IReadOnlyList<(string Name, string Value)> settings, CancellationTokenSource stop)
        {
            NpgsqlConnection? own = null;
            int? pid = null;
            try
            {
                if (workers > 1)
                {
                    own = await OpenWorkerAsync(main, settings, stop.Token).ConfigureAwait(false);
                    pid = own.ProcessID;
                }
                NpgsqlConnection connection = own ?? main;
                // Its own runner: the runner's retry jitter and autovacuum notes are not thread-safe.
                BlockingStepRunner runner = KeysetBackfill.BatchRunner(_options);
                int batchSize = _firstBatch;
                while (NextSegment() is int index)
                    batchSize = await WalkAsync(main, connection, runner, index, batchSize, stop.Token).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                lock (_sync)
                {
                    // The first failure is the step's; what the others throw once stopped is its echo.
                    if (_failure is null && !stop.IsCancellationRequested)
                        _failure = own is null ? exception : Explain(exception, worker, workers, own, pid);
                }
                stop.Cancel();
            }
            finally
            {
                if (own is not null)
                    await own.DisposeAsync().ConfigureAwait(false);
            }
        }

        private int? NextSegment()
        {
            lock (_sync)
                return _todo.Count > 0 ? _todo.Dequeue() : null;
        }

        /// <summary>Walks one segment to its end; returns the batch size reached (the next segment starts from it).</summary>
        private async Task<int> WalkAsync(NpgsqlConnection main, NpgsqlConnection connection, BlockingStepRunner runner, int index, int batchSize, CancellationToken cancellationToken)
        {
            BackfillSegment segment;
            lock (_sync)
                segment = _segments[index];
            bool first = true;
            while (!segment.Done)
            {
                if (!first && _options.PauseBetweenBatches > TimeSpan.Zero)
                    await Task.Delay(_options.PauseBetweenBatches, cancellationToken).ConfigureAwait(false);
                first = false;
                await PassGateAsync(main, cancellationToken).ConfigureAwait(false);

                BackfillSegment before = segment;
                int size = batchSize;
                StepResult<(int Updated, BackfillSegment Next)> batch = await runner.RunAsync(
                    connection,
                    async (transaction, token) =>
                    {
                        (bool more, int updated, string[]? upper) = await KeysetBackfill.RunBatchAsync(_statements, connection, transaction, before.ResumeAfter, size, _skipLocked, token, before.To).ConfigureAwait(false);
                        BackfillSegment next = more ? before.Reached(upper!, size) : before.Finished(updated);
                        // Only this segment's slot, in the batch's transaction: the batch and its record commit together.
                        if (_options.RecordSegmentAsync is not null)
                            await _options.RecordSegmentAsync(transaction, index, next.ToJson(), token).ConfigureAwait(false);
                        return (updated, next);
                    },
                    LockAttempt,
                    cancellationToken).ConfigureAwait(false);

                segment = batch.Value.Next;
                batchSize = KeysetBackfill.NextBatchSize(batchSize, batch.Duration, _options);
                Report(index, segment, batch.Value.Updated, batch.Retries, batchSize, batch.Duration);
            }
            return batchSize;
        }

        /// <summary>Pacing and the executor-lock check, on the main connection, which is not thread-safe: one worker at a time.</summary>
        private async Task PassGateAsync(NpgsqlConnection main, CancellationToken cancellationToken)
        {
            if (_options.Pacing is null && _options.BeforeBatchAsync is null)
                return;
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_options.Pacing is not null)
                    await _options.Pacing.WaitAsync(main, cancellationToken).ConfigureAwait(false);
                if (_options.BeforeBatchAsync is not null)
                    await _options.BeforeBatchAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        private void LockAttempt(StepAttempt attempt)
        {
            lock (_sync)
                _options.LockAttempt?.Invoke(attempt);
        }

        private void Report(int index, BackfillSegment segment, int updated, int retries, int nextSize, TimeSpan duration)
        {
            lock (_sync)
            {
                _segments[index] = segment;
                RowsUpdated += updated;
                Batches++;
                Retries += retries;
                if (_options.Progress is null)
                    return;
                var position = new BackfillPosition(_keyNames, _segments.ToArray());
                BackfillProgress progress = KeysetBackfill.Progress(_verb, RowsUpdated, position.RowsVisited, _visitedAtStart, _estimatedTotal, _clock.Elapsed, Batches, nextSize, duration, position);
                progress.Workers = _workers;
                _options.Progress(progress);
            }
        }

        private async Task<NpgsqlConnection> OpenWorkerAsync(NpgsqlConnection main, IReadOnlyList<(string Name, string Value)> settings, CancellationToken cancellationToken)
        {
            NpgsqlConnection connection;
            if (_options.OpenConnectionAsync is not null)
            {
                connection = await _options.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // A clone keeps the password the connection string no longer shows once open.
                connection = main.CloneWith(main.ConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            }
            try
            {
                foreach ((string name, string value) in settings)
                {
                    await using var set = new NpgsqlCommand("SELECT set_config($1, $2, false)", connection);
                    set.Parameters.AddWithValue(name);
                    set.Parameters.AddWithValue(value);
                    await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return connection;
        }

        /// <summary>
        /// What the main session set for itself (search_path, TimeZone, DateStyle, a migration's own SET ..., the role):
        /// a worker's assignments must compute what the main session's would.
        /// </summary>
        private static async Task<IReadOnlyList<(string Name, string Value)>> ReadSessionSettingsAsync(NpgsqlConnection main, CancellationToken cancellationToken)
        {
            var settings = new List<(string, string)>();
            // pg_settings hides role; it goes last, after settings the worker's own login may set.
            const string sql = "SELECT name, setting FROM pg_settings WHERE source = 'session' UNION ALL SELECT 'role', current_setting('role') WHERE current_setting('role') <> 'none'";
            await using var command = new NpgsqlCommand(sql, main);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                settings.Add((reader.GetString(0), reader.GetString(1)));
            return settings;
        }

        /// <summary>A worker's session that ended is not the executor's: say which, so the failure is not read as a lost executor lock.</summary>
        private static Exception Explain(Exception exception, int worker, int workers, NpgsqlConnection connection, int? pid)
        {
            PostgresException? postgres = null;
            for (Exception? e = exception; e is not null; e = e.InnerException)
            {
                if (e is TimeoutException || e is OperationCanceledException)
                    return exception;
                postgres ??= e as PostgresException;
            }
            bool ended = postgres is not null ? SessionEnded.Contains(postgres.SqlState) : connection.State != ConnectionState.Open && exception is StepFailedException or NpgsqlException;
            if (!ended)
                return exception;
            string reason = postgres is not null ? $"{postgres.SqlState}: {postgres.MessageText}" : exception.Message;
            string who = pid is int p ? $" (backend pid {p})" : string.Empty;
            return new StepFailedException(
                $"Backfill worker {worker + 1} of {workers}{who} lost its session ({reason}); its batch in flight was rolled back and every committed batch of every worker is recorded. " +
                "The executor's own session and lock are not affected. Rerun apply: each key segment resumes after its last committed batch.",
                (exception as StepFailedException)?.Attempts ?? Array.Empty<StepAttempt>(),
                retriesExhausted: false,
                inner: null);
        }
    }
}
