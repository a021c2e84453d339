using System;
using Microsoft.Extensions.Logging;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations
{
    /// <summary>
    /// Settings of an in-app run (<c>context.Database.MigrateSafelyAsync(...)</c> and its siblings). The same knobs as
    /// the runner's command line (<c>--lock-timeout</c>, <c>--lock-retries</c>, <c>--statement-timeout</c>, ...), with
    /// the same defaults, plus what only an app needs: how long to wait for another instance, and where to log.
    /// </summary>
    public sealed class SafeMigrationOptions
    {
        /// <summary>Last migration to apply (id or name), or, for a rollback, the migration to roll back to (it stays); null for the latest / the last one. Runner: <c>--target</c>.</summary>
        public string? TargetMigration { get; set; }

        /// <summary>lock_timeout of every blocking step attempt. Default 2 s. Runner: <c>--lock-timeout</c>.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>Retries of a blocking step after its first attempt timed out on a lock, before SM1003. Default 9. Runner: <c>--lock-retries</c>.</summary>
        public int LockRetries { get; set; } = 9;

        /// <summary>First back-off between lock attempts (doubles, jittered). Default 250 ms.</summary>
        public TimeSpan LockRetryBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

        /// <summary>How long the client waits for any one statement before it stops with SM1002 (a concurrent index build is exempt). Default 5 min. Runner: <c>--statement-timeout</c>.</summary>
        public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>Longest wait of a concurrent index build for older transactions before SM1014; null waits as long as they last. Default 10 min. Runner: <c>--index-wait-timeout</c>.</summary>
        public TimeSpan? IndexWaitTimeout { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>Target duration of one backfill batch (batch sizes adapt to it). Default 50 ms.</summary>
        public TimeSpan BackfillBatchDuration { get; set; } = BackfillOptions.DefaultTargetBatchDuration;

        /// <summary>Pause between backfill batches (leaves I/O and replication room). Default none.</summary>
        public TimeSpan BackfillPause { get; set; } = TimeSpan.Zero;

        /// <summary>Connections each backfill or batched delete runs its key segments on at once. Default 1. Runner: <c>--backfill-workers</c>.</summary>
        public int BackfillWorkers { get; set; } = 1;

        /// <summary>Rows of the first and of the largest backfill batch (pacing may still shrink a batch), over a step's own size; null adapts from 1,000 rows.</summary>
        public int? BackfillBatchSize { get; set; }

        /// <summary>Backfills and batched deletes pause while a streaming replica's replay is more than this many bytes of WAL behind; null does not watch it. Default 64 MB. Runner: <c>--max-replica-lag</c> (in MB).</summary>
        public long? MaxReplicaLagBytes { get; set; } = 64 * PacingOptions.Megabyte;

        /// <summary>... and while a replica's <c>replay_lag</c> is longer than this; null does not watch it. Default 10 s. Runner: <c>--max-replica-lag-time</c>.</summary>
        public TimeSpan? MaxReplicaLagTime { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>A query the app depends on (e.g. a primary-key lookup), timed before the work and between batches; batches wait while it is slow. Default none. Runner: <c>--latency-probe</c>.</summary>
        public string? LatencyProbe { get; set; }

        /// <summary>The probe is slow above this multiple of its baseline (and above 5 ms). Default 3. Runner: <c>--latency-factor</c>.</summary>
        public double LatencyFactor { get; set; } = 3;

        /// <summary>Longest wait before one batch before the run stops with SM1017 (a rerun resumes). Default 10 min. Runner: <c>--max-pacing-pause</c>.</summary>
        public TimeSpan MaxPacingPause { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>Id or name of a partly applied migration whose recorded steps were edited in place, accepted as what ran (else SM1013). Runner: <c>--accept-edited</c>.</summary>
        public string? AcceptEditedMigration { get; set; }

        /// <summary>Markdown report path, or null for none. Runner: <c>--report</c>.</summary>
        public string? ReportPath { get; set; }

        /// <summary>
        /// When another instance (another pod, job or process) is applying or rolling back on the same database, how
        /// long to wait for it before returning <see cref="SafeMigrationOutcome.AnotherInstanceRunning"/> without error.
        /// After the wait the run goes on, and usually finds nothing left to do. Zero returns at once. Default 10 min.
        /// </summary>
        public TimeSpan AnotherInstanceWait { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>How often a waiting instance looks again whether the other one finished. Default 1 s.</summary>
        public TimeSpan AnotherInstancePollInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>How long to wait for statements an earlier, killed executor left running on the server before SM1005. Default 60 s.</summary>
        public TimeSpan EarlierExecutorWait { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// Runs contract steps without the contract gate's check that no running app version still uses what they drop
        /// (printed as an SM1016 warning). Default false. Runner: <c>--contract-gate skip</c>.
        /// </summary>
        public bool SkipContractGate { get; set; }

        /// <summary>How long the contract gate watches pg_stat_statements for statements naming a dropped column or table. Default 60 s. Runner: <c>--contract-gate-window</c>.</summary>
        public TimeSpan ContractGateWindow { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Where progress and results are logged; null uses the DbContext's own logger factory (the app's, under AddDbContext).</summary>
        public ILoggerFactory? LoggerFactory { get; set; }

        /// <summary>Refuses a value that cannot work, naming the option (SM1001).</summary>
        internal void Validate()
        {
            Require(LockTimeout > TimeSpan.Zero, nameof(LockTimeout), "must be positive");
            Require(LockRetries >= 0 && LockRetries <= 1000, nameof(LockRetries), "must be from 0 to 1000 (retries after the first attempt)");
            Require(LockRetryBackoff >= TimeSpan.Zero, nameof(LockRetryBackoff), "must not be negative");
            Require(StatementTimeout > TimeSpan.Zero, nameof(StatementTimeout), "must be positive");
            Require(BackfillBatchDuration > TimeSpan.Zero, nameof(BackfillBatchDuration), "must be positive");
            Require(BackfillPause >= TimeSpan.Zero, nameof(BackfillPause), "must not be negative");
            Require(BackfillWorkers >= 1 && BackfillWorkers <= BackfillOptions.MaxWorkers, nameof(BackfillWorkers), $"must be from 1 to {BackfillOptions.MaxWorkers}");
            Require(BackfillBatchSize is null || BackfillBatchSize >= 1, nameof(BackfillBatchSize), "must be at least 1 row (or null to adapt)");
            Require(MaxReplicaLagBytes is null || MaxReplicaLagBytes > 0, nameof(MaxReplicaLagBytes), "must be positive (or null to not watch it)");
            Require(MaxReplicaLagTime is null || MaxReplicaLagTime > TimeSpan.Zero, nameof(MaxReplicaLagTime), "must be positive (or null to not watch it)");
            Require(LatencyProbe is null || !string.IsNullOrWhiteSpace(LatencyProbe), nameof(LatencyProbe), "must be a query (or null for none)");
            Require(LatencyFactor >= 1 && !double.IsInfinity(LatencyFactor), nameof(LatencyFactor), "must be a number of at least 1");
            Require(MaxPacingPause > TimeSpan.Zero, nameof(MaxPacingPause), "must be positive");
            Require(AnotherInstanceWait >= TimeSpan.Zero, nameof(AnotherInstanceWait), "must not be negative (zero returns at once)");
            Require(AnotherInstancePollInterval > TimeSpan.Zero, nameof(AnotherInstancePollInterval), "must be positive");
            Require(EarlierExecutorWait >= TimeSpan.Zero, nameof(EarlierExecutorWait), "must not be negative");
            Require(ContractGateWindow > TimeSpan.Zero, nameof(ContractGateWindow), "must be positive");
        }

        internal EngineOptions ToEngineOptions(string connectionString, PhaseSelection phase, IEngineLog log)
        {
            var options = new EngineOptions
            {
                ConnectionString = connectionString,
                Phase = phase,
                Target = TargetMigration,
                LockTimeout = LockTimeout,
                MaxLockAttempts = LockRetries + 1,
                InitialBackoff = LockRetryBackoff,
                StatementTimeout = StatementTimeout,
                IndexWaitTimeout = IndexWaitTimeout,
                BackfillBatchDuration = BackfillBatchDuration,
                BackfillPause = BackfillPause,
                BackfillWorkers = BackfillWorkers,
                AcceptEditedMigration = AcceptEditedMigration,
                ReportPath = ReportPath,
                EarlierExecutorWait = EarlierExecutorWait,
                ContractGate = new Engine.Gate.ContractGateOptions { Skip = SkipContractGate, Window = ContractGateWindow },
                Pacing = new PacingOptions
                {
                    MaxReplicaLagBytes = MaxReplicaLagBytes,
                    MaxReplicaLagTime = MaxReplicaLagTime,
                    LatencyProbe = LatencyProbe,
                    LatencyFactor = LatencyFactor,
                    MaxPause = MaxPacingPause,
                },
                Log = log,
            };
            if (BackfillBatchSize is int size)
            {
                options.ConfigureBackfill = backfill =>
                {
                    backfill.InitialBatchSize = size;
                    backfill.MaxBatchSize = size;
                    backfill.MinBatchSize = Math.Min(backfill.MinBatchSize, size);
                };
            }
            return options;
        }

        private static void Require(bool holds, string option, string rule)
        {
            if (!holds)
                throw new SafeMigrationsException(EngineCodes.Configuration, $"{nameof(SafeMigrationOptions)}.{option} {rule}.", null);
        }
    }
}
