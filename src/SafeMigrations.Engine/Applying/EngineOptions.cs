using System;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Applying
{
    /// <summary>Which phases a run executes.</summary>
    public enum PhaseSelection
    {
        /// <summary>Backward-compatible steps only, before the new app version rolls out (the default).</summary>
        Expand,

        /// <summary>Destructive steps of migrations whose expand phase ran, after every instance runs the new version.</summary>
        Contract,

        /// <summary>Expand then contract, migration by migration.</summary>
        All,
    }

    /// <summary>Settings of a plan/apply/status/rollback run.</summary>
    public sealed class EngineOptions
    {
        /// <summary>Npgsql connection string of the target database.</summary>
        public string ConnectionString { get; set; } = string.Empty;

        /// <summary>Phases to run. Default expand.</summary>
        public PhaseSelection Phase { get; set; } = PhaseSelection.Expand;

        /// <summary>Last migration to apply (id or name), or, for rollback, the migration to roll back to (it stays); null for the latest / the last one.</summary>
        public string? Target { get; set; }

        /// <summary>lock_timeout of every blocking step attempt. Default 2 s.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>Attempts per blocking step before giving up (SM1003). Default 10.</summary>
        public int MaxLockAttempts { get; set; } = 10;

        /// <summary>First back-off between lock attempts (doubles, jittered). Default 250 ms.</summary>
        public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

        /// <summary>
        /// Longest single wait of a CREATE INDEX CONCURRENTLY for other transactions (it waits for every transaction that
        /// could see the table's old state, even idle ones) before it is cancelled with SM1014; null or zero waits as long
        /// as they last. Default 10 minutes.
        /// </summary>
        public TimeSpan? IndexWaitTimeout { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>
        /// apply: id or name of a partly applied migration whose recorded steps were edited in place (same kinds at the
        /// same positions, other SQL): the user confirms the new SQL is what ran, and their fingerprints are re-recorded
        /// instead of stopping with SM1013. Inserted, removed or moved steps are refused whatever this says.
        /// </summary>
        public string? AcceptEditedMigration { get; set; }

        /// <summary>Target duration of one backfill batch: about the longest a writer waits for a row of the batch in flight. Default 50 ms.</summary>
        public TimeSpan BackfillBatchDuration { get; set; } = BackfillOptions.DefaultTargetBatchDuration;

        /// <summary>Pause between backfill batches. Default none.</summary>
        public TimeSpan BackfillPause { get; set; } = TimeSpan.Zero;

        /// <summary>Connections each backfill or batched delete runs its key segments on at once (see <see cref="BackfillOptions.Workers"/>). Default 1.</summary>
        public int BackfillWorkers { get; set; } = 1;

        /// <summary>
        /// When backfills and batched deletes wait for the rest of the system: replica replay lag (on by default, 64 MB /
        /// 10 s) and an optional latency probe; SM1017 after the maximum pause. Null, or nothing watched, never waits.
        /// </summary>
        public PacingOptions? Pacing { get; set; } = new PacingOptions();

        /// <summary>
        /// How long the client waits for the answer to any one statement (DDL under lock_timeout, a batch, a
        /// verification scan) before it gives up, drops the session and stops with an error; a concurrent index build,
        /// which is long on purpose, is exempt. Bounds a hang on a stalled network or an unanswering server: the run stops
        /// with SM1002 about 2 s (Npgsql's cancellation wait) after it. Default 5 min, enough for a VALIDATE or a
        /// verification scan of tens of millions of rows; DDL under lock_timeout and backfill batches take far less.
        /// </summary>
        public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>
        /// <c>idle_in_transaction_session_timeout</c> of the engine's sessions: the server ends a transaction that waits
        /// this long for its client (a stalled network) and releases its locks. The engine never idles in a transaction
        /// on purpose. Default 30 s.
        /// </summary>
        public TimeSpan IdleInTransactionTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Idle time before keepalive probes start (client and server side). Default 15 s.</summary>
        public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>
        /// How long a starting executor waits for sessions of an earlier executor that are still running statements
        /// (a killed runner's concurrent index build goes on on the server) before it stops with SM1005. Default 60 s.
        /// </summary>
        public TimeSpan EarlierExecutorWait { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// Creates each session from the connection string the engine settled on (keepalives, timeouts, no pooling);
        /// null for a plain <see cref="Npgsql.NpgsqlConnection"/>. The in-app API clones the DbContext's connection here,
        /// so a password its connection string no longer shows (or a data source's password provider) still applies.
        /// </summary>
        public Func<string, Npgsql.NpgsqlConnection>? CreateConnection { get; set; }

        /// <summary>
        /// The contract gate run before a migration's contract steps drop, rename away or swap out a column or table
        /// (SM1016); null runs contract steps unchecked and silently (verify's throwaway databases have no app).
        /// </summary>
        public Gate.ContractGateOptions? ContractGate { get; set; } = new Gate.ContractGateOptions();

        /// <summary>Markdown report path, or null for none.</summary>
        public string? ReportPath { get; set; }

        /// <summary>
        /// plan: the statistics snapshot whose table sizes give each step's estimated production impact; null for
        /// safemigrations.stats.json in the working directory when it exists.
        /// </summary>
        public string? StatisticsPath { get; set; }

        /// <summary>Where messages go.</summary>
        public IEngineLog Log { get; set; } = NullEngineLog.Instance;

        /// <summary>Hears about every step as it runs (the verifier's tracer); null for none.</summary>
        public IStepObserver? StepObserver { get; set; }

        /// <summary>Tuning of every backfill after the defaults above are applied (tests use it to slow batches down).</summary>
        public Action<BackfillOptions>? ConfigureBackfill { get; set; }

        internal Execution.LockRetryPolicy LockPolicy() => new Execution.LockRetryPolicy
        {
            LockTimeout = LockTimeout,
            MaxAttempts = MaxLockAttempts,
            InitialBackoff = InitialBackoff,
        };
    }
}
