using System;
using System.Collections.Generic;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>
    /// A step did not complete: it failed with a non-retryable error, or it ran out of attempts or time waiting for
    /// its locks. Nothing of the failed attempt was committed.
    /// </summary>
    public sealed class StepFailedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public StepFailedException(string message, IReadOnlyList<StepAttempt> attempts, bool retriesExhausted, Exception? inner)
            : base(message, inner)
        {
            Attempts = attempts;
            RetriesExhausted = retriesExhausted;
        }

        /// <summary>Every attempt made.</summary>
        public IReadOnlyList<StepAttempt> Attempts { get; }

        /// <summary>True when the step gave up on lock timeouts or deadlocks (the cap was reached), false for other errors.</summary>
        public bool RetriesExhausted { get; }

        /// <summary>SQLSTATE of the last error, if it came from PostgreSQL.</summary>
        public string? SqlState => Attempts.Count == 0 ? null : Attempts[Attempts.Count - 1].SqlState;
    }
}
