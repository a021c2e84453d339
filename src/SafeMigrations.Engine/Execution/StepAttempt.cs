using System;
using System.Collections.Generic;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>How one attempt of a step ended.</summary>
    public enum AttemptOutcome
    {
        /// <summary>Committed.</summary>
        Succeeded,

        /// <summary>Gave up waiting for a lock (SQLSTATE 55P03); retried.</summary>
        LockTimeout,

        /// <summary>Chosen as a deadlock victim (SQLSTATE 40P01); retried.</summary>
        Deadlock,

        /// <summary>Failed with an error that a retry does not fix.</summary>
        Failed,
    }

    /// <summary>One attempt of a step: when, how long, and how it ended.</summary>
    public sealed class StepAttempt
    {
        internal StepAttempt(int number, TimeSpan backoffBefore, TimeSpan duration, AttemptOutcome outcome, string? sqlState, string? error, bool willRetry = false)
        {
            WillRetry = willRetry;
            Number = number;
            BackoffBefore = backoffBefore;
            Duration = duration;
            Outcome = outcome;
            SqlState = sqlState;
            Error = error;
        }

        /// <summary>1 for the first attempt.</summary>
        public int Number { get; }

        /// <summary>Time slept before this attempt (zero for the first).</summary>
        public TimeSpan BackoffBefore { get; }

        /// <summary>Time from BEGIN to COMMIT or to the error.</summary>
        public TimeSpan Duration { get; }

        /// <summary>How the attempt ended.</summary>
        public AttemptOutcome Outcome { get; }

        /// <summary>SQLSTATE of the error, if any.</summary>
        public string? SqlState { get; }

        /// <summary>Error message, if any.</summary>
        public string? Error { get; }

        /// <summary>True when another attempt follows this failed one; false on success and on the attempt that gives up.</summary>
        public bool WillRetry { get; }

        /// <inheritdoc />
        public override string ToString()
        {
            return $"attempt {Number}: {Outcome} after {Duration.TotalMilliseconds:0} ms" + (SqlState is null ? string.Empty : $" ({SqlState} {Error})");
        }
    }

    /// <summary>A step that committed, with its value and every attempt it took.</summary>
    public sealed class StepResult<T>
    {
        internal StepResult(T value, IReadOnlyList<StepAttempt> attempts, TimeSpan duration)
        {
            Value = value;
            Attempts = attempts;
            Duration = duration;
        }

        /// <summary>What the step's work returned (rows affected for SQL steps).</summary>
        public T Value { get; }

        /// <summary>Every attempt, the last one succeeded.</summary>
        public IReadOnlyList<StepAttempt> Attempts { get; }

        /// <summary>Wall time including back-off.</summary>
        public TimeSpan Duration { get; }

        /// <summary>Attempts that were retried (lock timeouts and deadlocks).</summary>
        public int Retries => Attempts.Count - 1;
    }
}
