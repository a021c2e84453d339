using System;
using SafeMigrations.Engine.Planning;

namespace SafeMigrations.Engine.Reporting
{
    /// <summary>What happened to one step in a run.</summary>
    public enum StepOutcome
    {
        /// <summary>Ran and verified.</summary>
        Completed,

        /// <summary>Recorded as completed by an earlier run; skipped.</summary>
        AlreadyCompleted,

        /// <summary>Its effect was already in place (verified before running); recorded without running.</summary>
        AlreadyInPlace,

        /// <summary>Failed.</summary>
        Failed,

        /// <summary>Undone by a rollback.</summary>
        RolledBack,

        /// <summary>Only planned (the plan command).</summary>
        Planned,
    }

    /// <summary>One step's line in the run report.</summary>
    public sealed class StepRecord
    {
        internal StepRecord(PlanStep step, StepOutcome outcome)
        {
            Step = step;
            Outcome = outcome;
        }

        /// <summary>The step.</summary>
        public PlanStep Step { get; }

        /// <summary>What happened.</summary>
        public StepOutcome Outcome { get; internal set; }

        /// <summary>Attempts that hit lock_timeout or a deadlock and were retried.</summary>
        public int Retries { get; internal set; }

        /// <summary>Wall time.</summary>
        public TimeSpan Duration { get; internal set; }

        /// <summary>Rows changed (backfills and DML), when known.</summary>
        public long? Rows { get; internal set; }

        /// <summary>Verification result: true held, false failed, null not checked.</summary>
        public bool? Verified { get; internal set; }

        /// <summary>Error text of a failure.</summary>
        public string? Error { get; internal set; }
    }
}
