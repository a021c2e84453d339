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
    /// The batch loop of every keyset backfill: walks the segments of a key range in batches (one statement each, sized
    /// to the target duration, SKIP LOCKED when the rows left can be found again), each batch recording its position in
    /// its own transaction. A single walk is one segment on the main connection; several workers walk several segments
    /// on connections of their own at once. The pacing gate and the executor-lock check run before every batch on the
    /// main connection, one worker at a time; a failing worker stops the others, and the first real failure is the step's.
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
        private readonly BlockingStepRunner _mainRunner;
        private readonly Queue<int> _todo;
        private readonly long _visitedAtStart;
        private readonly object _sync = new object();
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private Exception? _failure;
        private int _workers = 1;

        public ParallelBackfill(KeysetStatements statements, BackfillOptions options, IReadOnlyList<string> keyNames, bool skipLocked, string verb, long? estimatedTotal, Stopwatch clock, int firstBatch, IReadOnlyList<BackfillSegment> segments, BlockingStepRunner mainRunner)
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
            _mainRunner = mainRunner;
            _todo = new Queue<int>(Enumerable.Range(0, _segments.Length).Where(i => !_segments[i].Done));
            _visitedAtStart = _segments.Sum(s => s.RowsVisited);
        }

        public long RowsUpdated { get; private set; }

        public int Batches { get; private set; }

        public int Retries { get; private set; }

        /// <summary>The segments as they stand now; null for a single walk that has not passed a key (nothing to resume after).</summary>
        public BackfillPosition? Position
        {
            get
            {
                lock (_sync)
                    return Resumable(_segments);
            }
        }

        /// <summary>A single walk saves and reports its segment once it passed a key; several segments always.</summary>
        private BackfillPosition? Resumable(IReadOnlyList<BackfillSegment> segments)
            => segments.Count == 1 && segments[0].ResumeAfter is null ? null : new BackfillPosition(_keyNames, segments.ToArray());

        /// <summary>Runs every unfinished segment; <paramref name="recordSplit"/> first saves the segments (a fresh split).</summary>
        public async Task RunAsync(NpgsqlConnection main, bool recordSplit, CancellationToken cancellationToken)
        {
            if (recordSplit && _options.RecordPositionAsync is not null)
            {
                // Before any batch: a kill after this resumes the same segments, whatever the worker count then.
                await using NpgsqlTransaction transaction = await main.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await _options.RecordPositionAsync(transaction, Position!, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            int workers = Math.Min(_options.Workers, _todo.Count);
            if (workers == 0)
                return;
            (workers, string? capped) = await ConnectionHeadroom.CapAsync(main, workers, cancellationToken).ConfigureAwait(false);
            if (capped is not null)
                _options.Note?.Invoke(capped);
            _workers = workers;
            if (workers == 1)
            {
                // One worker walks on the main connection itself (a single walk's batches and sweep share its runner).
                await WalkSegmentsAsync(main, main, _mainRunner, cancellationToken).ConfigureAwait(false);
                return;
            }

            // Each worker gets a session like the main one.
            IReadOnlyList<(string Name, string Value)> settings = await ReadSessionSettingsAsync(main, cancellationToken).ConfigureAwait(false);
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
                own = await OpenWorkerAsync(main, settings, stop.Token).ConfigureAwait(false);
                pid = own.ProcessID;
                // Its own runner: the runner's retry jitter and autovacuum notes are not thread-safe.
                await WalkSegmentsAsync(main, own, KeysetBackfill.BatchRunner(_options), stop.Token).ConfigureAwait(false);
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

        /// <summary>Walks segments one after the other until none is left; each starts from the batch size the last reached.</summary>
        private async Task WalkSegmentsAsync(NpgsqlConnection main, NpgsqlConnection connection, BlockingStepRunner runner, CancellationToken cancellationToken)
        {
            int batchSize = _firstBatch;
            while (NextSegment() is int index)
                batchSize = await WalkAsync(main, connection, runner, index, batchSize, cancellationToken).ConfigureAwait(false);
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
                        // The range's upper bound, its row locks and its change: one statement, one round trip.
                        (bool more, int updated, string[]? upper) = await RunBatchAsync(connection, transaction, before.ResumeAfter, size, before.To, token).ConfigureAwait(false);
                        // A range that reaches the segment's end visited only the rows it found.
                        BackfillSegment next = more ? before.Reached(upper!, size) : before.Finished(updated);
                        // Recorded before the commit, in the batch's transaction: the batch and its record commit together or not at all.
                        await RecordAsync(transaction, index, next, token).ConfigureAwait(false);
                        return (updated, next);
                    },
                    LockAttempt,
                    cancellationToken).ConfigureAwait(false);

                segment = batch.Value.Next;
                batchSize = NextBatchSize(batchSize, batch.Duration, _options);
                Report(index, segment, batch.Value.Updated, batch.Retries, batchSize, batch.Duration);
            }
            return batchSize;
        }

        /// <summary>One batch after <paramref name="lower"/> (from the start when null), up to <paramref name="segmentEnd"/> (the table's end when null).</summary>
        private async Task<(bool More, int Updated, string[]? Upper)> RunBatchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string>? lower, int size, IReadOnlyList<string>? segmentEnd, CancellationToken token)
        {
            await using NpgsqlCommand command = _statements.Batch(connection, transaction, lower, size, _skipLocked, segmentEnd);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            // No row: the range is empty.
            if (!await reader.ReadAsync(token).ConfigureAwait(false))
                return (false, 0, null);
            int updated = (int)reader.GetInt64(0);
            bool more = reader.GetBoolean(1);
            var upper = new string[reader.FieldCount - 2];
            for (int i = 0; i < upper.Length; i++)
                upper[i] = reader.GetString(i + 2);
            return (more, updated, upper);
        }

        /// <summary>
        /// A single walk saves its whole position (once it passed a key); a segment of several saves only its own slot,
        /// so workers never overwrite each other's progress (the segments were saved whole before the first batch).
        /// </summary>
        private async Task RecordAsync(NpgsqlTransaction transaction, int index, BackfillSegment next, CancellationToken token)
        {
            if (_segments.Length > 1)
            {
                if (_options.RecordSegmentAsync is not null)
                    await _options.RecordSegmentAsync(transaction, index, next.ToJson(), token).ConfigureAwait(false);
            }
            else if (_options.RecordPositionAsync is not null && Resumable(new[] { next }) is BackfillPosition position)
            {
                await _options.RecordPositionAsync(transaction, position, token).ConfigureAwait(false);
            }
        }

        internal static int NextBatchSize(int current, TimeSpan took, BackfillOptions options)
        {
            // Move toward the target duration, at most doubling or halving per batch so one outlier cannot swing it.
            double factor = took <= TimeSpan.Zero ? 2 : options.TargetBatchDuration.TotalMilliseconds / took.TotalMilliseconds;
            factor = Math.Max(0.5, Math.Min(2, factor));
            long next = (long)Math.Round(current * factor);
            return (int)Math.Max(options.MinBatchSize, Math.Min(options.MaxBatchSize, next));
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
                if (_options.Progress is null || Resumable(_segments) is not BackfillPosition position)
                    return;
                var progress = new BackfillProgress(RowsUpdated, position.RowsVisited, _estimatedTotal, _clock.Elapsed, Batches, nextSize, duration, position) { Verb = _verb, Workers = _workers };
                double rate = progress.Elapsed.TotalSeconds > 0 ? (progress.RowsVisited - _visitedAtStart) / progress.Elapsed.TotalSeconds : 0;
                progress.RowsPerSecond = rate;
                if (_estimatedTotal is long total && rate > 0)
                    progress.EstimatedRemaining = TimeSpan.FromSeconds(Math.Max(0, total - progress.RowsVisited) / rate);
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
