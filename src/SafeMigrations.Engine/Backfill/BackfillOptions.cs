using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Execution;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>Pacing, retries, progress and resume settings of a keyset backfill.</summary>
    public sealed class BackfillOptions
    {
        /// <summary>Rows in the first batch, at most <see cref="FirstBatchCap"/> (unless <see cref="MinBatchSize"/> is larger); later batches adapt to <see cref="TargetBatchDuration"/>. Default 1,000.</summary>
        public int InitialBatchSize { get; set; } = 1000;

        /// <summary>The first batch's largest size (1,000 rows): it measures the speed before a batch holds many rows.</summary>
        public const int FirstBatchCap = 1000;

        /// <summary>Smallest batch. Default 50.</summary>
        public int MinBatchSize { get; set; } = 50;

        /// <summary>Largest batch. Default 20,000.</summary>
        public int MaxBatchSize { get; set; } = 20_000;

        /// <summary>The default <see cref="TargetBatchDuration"/>: 50 ms (a writer's worst wait for the batch in flight stays under 100 ms).</summary>
        public static readonly TimeSpan DefaultTargetBatchDuration = TimeSpan.FromMilliseconds(50);

        /// <summary>
        /// Batch size is adapted so that each batch takes about this long. Row locks are held until the batch
        /// commits, so this is roughly the longest a writer touching the same rows waits (a batch never waits for the
        /// writer's rows in turn: it skips held rows, see <see cref="KeysetBackfill.RemainingPredicate"/>). Default 50 ms.
        /// </summary>
        public TimeSpan TargetBatchDuration { get; set; } = DefaultTargetBatchDuration;

        /// <summary>Sleep between batches (throttle: leaves I/O and replication room). Default none.</summary>
        public TimeSpan PauseBetweenBatches { get; set; } = TimeSpan.Zero;

        /// <summary>lock_timeout and retries of each batch (row locks held by the app count too).</summary>
        public LockRetryPolicy LockPolicy { get; set; } = new LockRetryPolicy();

        /// <summary>Continue after this position (from an earlier run's progress) instead of from the start.</summary>
        public BackfillPosition? ResumeFrom { get; set; }

        /// <summary>Runs before every batch; the engine checks there that it still holds the executor lock (throwing stops the backfill).</summary>
        public Func<CancellationToken, Task>? BeforeBatchAsync { get; set; }

        /// <summary>
        /// Waits before every batch while a replica lags or the app's probe query is slow (see <see cref="PacingGate"/>);
        /// null never waits. It runs before <see cref="BeforeBatchAsync"/>, so the executor-lock check follows a long pause.
        /// </summary>
        public PacingGate? Pacing { get; set; }

        /// <summary>
        /// Called after every committed batch (progress output). To resume later, persist the position with
        /// <see cref="RecordPositionAsync"/>, which commits with the batch; a position saved here, after the commit, is
        /// one batch behind when the process dies in between (that batch is replayed).
        /// </summary>
        public Action<BackfillProgress>? Progress { get; set; }

        /// <summary>
        /// Runs inside each batch's transaction, after its statement and before its commit, with the position the batch
        /// reaches: write it through the transaction's connection, and the batch and its record commit together (a kill
        /// leaves both or neither, so a resume never replays a batch). Null records nothing.
        /// </summary>
        public Func<NpgsqlTransaction, BackfillPosition, CancellationToken, Task>? RecordPositionAsync { get; set; }

        /// <summary>
        /// Commit batches with <c>synchronous_commit = off</c> (default true): a commit then does not wait for its WAL
        /// flush. A server crash can lose the last few batches, but only whole batches, newest first, together with the
        /// positions recorded in them (<see cref="RecordPositionAsync"/>): a resume redoes exactly what was lost. Any
        /// later synchronous commit (the step's completion record, an application transaction) flushes them first.
        /// </summary>
        public bool AsynchronousCommit { get; set; } = true;

        /// <summary>Hears about every attempt of a batch that waited for a lock, as it ends (null for none).</summary>
        public Action<StepAttempt>? LockAttempt { get; set; }

        /// <summary>The most <see cref="Workers"/> a backfill takes.</summary>
        public const int MaxWorkers = 64;

        /// <summary>
        /// Connections the batches run on at once (default 1: one walk over the key on the given connection). With more,
        /// the key range left is split into this many segments, each walked on its own connection by the same batches
        /// (each still sized to <see cref="TargetBatchDuration"/>); each worker needs ten first batches of rows, so a small
        /// table runs on fewer (or one). Worker sessions get the main session's settings (search_path, TimeZone, role, ...).
        /// A position saved with segments resumes them with their saved boundaries, whatever this is then.
        /// </summary>
        public int Workers { get; set; } = 1;

        /// <summary>Receives notices worth a log line (e.g. fewer workers than asked because connection slots are short); null drops them.</summary>
        public Action<string>? Note { get; set; }

        /// <summary>Opens a worker's connection; null clones the main connection (same connection string, password included).</summary>
        public Func<CancellationToken, Task<NpgsqlConnection>>? OpenConnectionAsync { get; set; }

        /// <summary>
        /// Runs inside each batch's transaction of a segmented backfill, on that worker's connection, with the segment's
        /// index and its new state as JSON (<see cref="BackfillSegment.ToJson"/>): write only that slot of the saved
        /// position (e.g. with jsonb_set), so workers never overwrite each other's progress. The segmented position
        /// itself is written once before the workers start, through <see cref="RecordPositionAsync"/>. Null records nothing.
        /// </summary>
        public Func<NpgsqlTransaction, int, string, CancellationToken, Task>? RecordSegmentAsync { get; set; }

        internal void Validate()
        {
            if (MinBatchSize < 1 || MaxBatchSize < MinBatchSize)
                throw new ArgumentOutOfRangeException(nameof(MinBatchSize), "Need 1 <= MinBatchSize <= MaxBatchSize.");
            if (InitialBatchSize < 1)
                throw new ArgumentOutOfRangeException(nameof(InitialBatchSize), "The first batch needs at least one row.");
            if (Workers < 1 || Workers > MaxWorkers)
                throw new ArgumentOutOfRangeException(nameof(Workers), $"Need 1 <= Workers <= {MaxWorkers}.");
            if (TargetBatchDuration <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(TargetBatchDuration), "The target batch duration must be positive.");
            LockPolicy.Validate();
        }
    }

    /// <summary>Progress after a committed batch.</summary>
    public sealed class BackfillProgress
    {
        internal BackfillProgress(long rowsUpdated, long rowsVisited, long? estimatedTotalRows, TimeSpan elapsed, int batches, int nextBatchSize, TimeSpan lastBatchDuration, BackfillPosition position)
        {
            RowsUpdated = rowsUpdated;
            RowsVisited = rowsVisited;
            EstimatedTotalRows = estimatedTotalRows;
            Elapsed = elapsed;
            Batches = batches;
            NextBatchSize = nextBatchSize;
            LastBatchDuration = lastBatchDuration;
            Position = position;
        }

        /// <summary>Rows changed (updated, or deleted by a batched delete) in this run.</summary>
        public long RowsUpdated { get; }

        /// <summary>What the batches do to rows, for messages: <c>updated</c> or <c>deleted</c>.</summary>
        public string Verb { get; internal set; } = "updated";

        /// <summary>Rows the key ranges covered so far, including before a resume.</summary>
        public long RowsVisited { get; }

        /// <summary>Table size estimate (pg_class.reltuples, or count(*) when the table was never analyzed).</summary>
        public long? EstimatedTotalRows { get; }

        /// <summary>Time since this run started.</summary>
        public TimeSpan Elapsed { get; }

        /// <summary>Batches committed in this run.</summary>
        public int Batches { get; }

        /// <summary>Size chosen for the next batch.</summary>
        public int NextBatchSize { get; }

        /// <summary>Duration of the batch just committed (its transaction, retries included).</summary>
        public TimeSpan LastBatchDuration { get; }

        /// <summary>Where to resume from.</summary>
        public BackfillPosition Position { get; }

        /// <summary>Rows visited per second in this run.</summary>
        public double RowsPerSecond { get; internal set; }

        /// <summary>Remaining time at the current rate, when a total estimate exists.</summary>
        public TimeSpan? EstimatedRemaining { get; internal set; }

        /// <summary>Connections the batches run on at once (the counts and the rate are over all of them).</summary>
        public int Workers { get; internal set; } = 1;

        /// <inheritdoc />
        public override string ToString()
        {
            string total = EstimatedTotalRows is long t ? $"/~{t}" : string.Empty;
            string eta = EstimatedRemaining is TimeSpan e ? $", ETA {e.TotalSeconds:0.0} s" : string.Empty;
            string workers = Workers > 1 ? $" ({Workers} workers)" : string.Empty;
            return $"{RowsVisited}{total} rows visited, {RowsUpdated} {Verb}, {RowsPerSecond:0} rows/s{workers}, batch {Batches} took {LastBatchDuration.TotalMilliseconds:0} ms, next {NextBatchSize}{eta}";
        }
    }

    /// <summary>A finished backfill.</summary>
    public sealed class BackfillResult
    {
        internal BackfillResult(long rowsUpdated, int batches, int retries, TimeSpan duration, BackfillPosition? position, long? remainingRows)
        {
            RowsUpdated = rowsUpdated;
            Batches = batches;
            Retries = retries;
            Duration = duration;
            Position = position;
            RemainingRows = remainingRows;
        }

        /// <summary>Rows changed (updated, or deleted by a batched delete) in this run.</summary>
        public long RowsUpdated { get; }

        /// <summary>Batches committed in this run.</summary>
        public int Batches { get; }

        /// <summary>Batch attempts retried after lock timeouts or deadlocks.</summary>
        public int Retries { get; }

        /// <summary>Wall time of this run.</summary>
        public TimeSpan Duration { get; }

        /// <summary>Position of the last batch (null when the table was empty).</summary>
        public BackfillPosition? Position { get; }

        /// <summary>Rows the verification found still not backfilled, or still matching a delete's predicate (0 on success), or null when there was nothing to verify with.</summary>
        public long? RemainingRows { get; }
    }
}
