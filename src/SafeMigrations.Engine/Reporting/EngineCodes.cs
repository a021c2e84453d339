namespace SafeMigrations.Engine.Reporting
{
    /// <summary>
    /// The engine's message codes, in one place. Runner output, the MSBuild task and the docs use exactly these.
    /// (SM0xxx are the analyzers' rules; the engine uses SM1xxx.)
    /// </summary>
    public static class EngineCodes
    {
        /// <summary>Connection or configuration problem: no connection string, the server refuses it, a bad option, a context that cannot be created.</summary>
        public const string Configuration = "SM1001";

        /// <summary>A step failed with an error from the server (nothing of that step was committed).</summary>
        public const string StepFailed = "SM1002";

        /// <summary>A blocking step gave up after its capped lock_timeout retries: another transaction held a conflicting lock.</summary>
        public const string LockRetriesExhausted = "SM1003";

        /// <summary>A step ran, but its verification query says the database is not in the state it should be.</summary>
        public const string VerificationFailed = "SM1004";

        /// <summary>Another SafeMigrations executor holds the executor lock on this database.</summary>
        public const string ExecutorLockHeld = "SM1005";

        /// <summary>A step cannot be made safe automatically and runs as EF Core wrote it (plan warning).</summary>
        public const string CannotBeMadeSafe = "SM1006";

        /// <summary>The DbContext, the migrations assembly, or the target migration was not found (or is ambiguous).</summary>
        public const string NotFound = "SM1007";

        /// <summary>A migration cannot be rolled back: its contract phase ran, or a completed step has no automatic undo.</summary>
        public const string RollbackNotPossible = "SM1008";

        /// <summary>The run was cancelled; completed steps are recorded and a rerun resumes.</summary>
        public const string Cancelled = "SM1009";

        /// <summary>Verify: a step held a lock that blocks reads or writes (SHARE or stronger, except SHARE UPDATE EXCLUSIVE) on a table that existed before its migration longer than the lock budget, or while scanning it.</summary>
        public const string LockOverBudget = "SM1010";

        /// <summary>Verify: a step rewrote a table that existed before its migration (its relfilenode changed).</summary>
        public const string TableRewrite = "SM1011";

        /// <summary>Verify: after every migration, the schema differs from the one plain EF Core's Migrate() builds from the same migrations.</summary>
        public const string SchemaDiffers = "SM1012";

        /// <summary>A migration was edited after it partly ran: its plan no longer matches the steps recorded in safemigrations.state (nothing was run).</summary>
        public const string PlanChanged = "SM1013";

        /// <summary>A concurrent index build waited longer than its cap for older transactions to finish; the build was cancelled.</summary>
        public const string IndexBuildWaitTimeout = "SM1014";

        /// <summary>Verify: a step updated or deleted at least the data-change share of a pre-existing table's seeded rows (or inserted as many as a table it read has) in one transaction; the server counted the rows. SM0015's advice.</summary>
        public const string UnbatchedDataChange = "SM1015";

        /// <summary>Contract gate: a contract step would drop, rename away or swap out a column or table that a running app version still uses (pg_stat_statements calls in the window, or sessions whose application_name names an older schema version); nothing of that contract ran. Also the warning when the gate had no evidence, and when it was skipped.</summary>
        public const string ContractGate = "SM1016";
        /// <summary>Batched work (a backfill or batched delete) waited longer than its maximum pause for a lagging replica or a slow latency probe, and stopped; the batches done stay, a rerun resumes after the last one.</summary>
        public const string PacingTimeout = "SM1017";
    }
}
