using System;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>
    /// When batched work (backfills, batched deletes) waits for the rest of the system: a streaming replica whose replay
    /// falls behind, or an application query that got slower than before the work started.
    /// </summary>
    public sealed class PacingOptions
    {
        /// <summary>One mebibyte, the unit the runner's <c>--max-replica-lag</c> takes.</summary>
        public const long Megabyte = 1024 * 1024;

        /// <summary>
        /// Pause while any streaming replica's replay position is more than this many bytes of WAL behind the primary
        /// (<c>pg_current_wal_lsn() - replay_lsn</c> in <c>pg_stat_replication</c>); null does not watch it. Default 64 MB:
        /// a few hundred batches' worth, so a healthy replica never trips it, and a stuck one stops the work long before
        /// it holds gigabytes of unreplayed WAL.
        /// </summary>
        public long? MaxReplicaLagBytes { get; set; } = 64 * Megabyte;

        /// <summary>
        /// Pause while any streaming replica's <c>replay_lag</c> (time from commit on the primary to replay on the
        /// replica) is longer than this; null does not watch it. Default 10 s: reads served by replicas stay that fresh.
        /// </summary>
        public TimeSpan? MaxReplicaLagTime { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>
        /// A query the application depends on (e.g. a primary-key lookup on a hot table), timed before the work starts
        /// (the baseline) and between batches; work slows down while it takes longer than the bound (see
        /// <see cref="LatencyFactor"/>). Null (the default) times nothing.
        /// </summary>
        public string? LatencyProbe { get; set; }

        /// <summary>The probe is slow when it takes more than this multiple of its baseline (and more than <see cref="LatencyFloor"/>). Default 3.</summary>
        public double LatencyFactor { get; set; } = 3;

        /// <summary>The probe is never slow below this time, so that noise on a sub-millisecond baseline does not slow the work. Default 5 ms.</summary>
        public TimeSpan LatencyFloor { get; set; } = TimeSpan.FromMilliseconds(5);

        /// <summary>
        /// Longest wait before one batch; after it the work stops with SM1017 (the batches done stay done, a rerun
        /// resumes after the last one). Default 10 min.
        /// </summary>
        public TimeSpan MaxPause { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>How often a paused run looks again at the replicas. Default 1 s.</summary>
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Whether anything is watched at all.</summary>
        public bool Enabled => MaxReplicaLagBytes is not null || MaxReplicaLagTime is not null || LatencyProbe is not null;

        /// <summary>Refuses values that cannot work.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A bound, factor or wait out of range, naming it.</exception>
        public void Validate()
        {
            if (MaxReplicaLagBytes is long bytes && bytes <= 0)
                throw new ArgumentOutOfRangeException(nameof(MaxReplicaLagBytes), "The replica lag bound must be positive (null to not watch it).");
            if (MaxReplicaLagTime is TimeSpan time && time <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(MaxReplicaLagTime), "The replica lag time bound must be positive (null to not watch it).");
            if (LatencyProbe is not null && string.IsNullOrWhiteSpace(LatencyProbe))
                throw new ArgumentOutOfRangeException(nameof(LatencyProbe), "The latency probe must be a query (null for none).");
            if (!(LatencyFactor >= 1) || double.IsInfinity(LatencyFactor))
                throw new ArgumentOutOfRangeException(nameof(LatencyFactor), "The latency factor must be a number of at least 1.");
            if (LatencyFloor < TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(LatencyFloor), "The latency floor must not be negative.");
            if (MaxPause <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(MaxPause), "The maximum pause must be positive.");
            if (PollInterval <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(PollInterval), "The poll interval must be positive.");
        }
    }
}
