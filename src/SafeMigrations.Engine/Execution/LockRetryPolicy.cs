using System;
using System.Globalization;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>
    /// How a blocking step waits for its locks: a short <c>lock_timeout</c> on every attempt, jittered exponential
    /// back-off between attempts, and a cap on attempts and total time. There is deliberately no way to make an
    /// attempt wait without a timeout: a lock request queued behind a long transaction blocks every query behind it.
    /// </summary>
    public sealed class LockRetryPolicy
    {
        /// <summary>PostgreSQL <c>lock_timeout</c> for each attempt. Default 2 s. Must be positive (0 would mean "wait forever").</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>Attempts before giving up. Default 10.</summary>
        public int MaxAttempts { get; set; } = 10;

        /// <summary>Total time (attempts plus back-off) after which no new attempt starts. Default 2 minutes.</summary>
        public TimeSpan MaxTotalTime { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>Back-off before the second attempt; doubles per attempt up to <see cref="MaxBackoff"/>. Default 250 ms.</summary>
        public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

        /// <summary>Upper bound of one back-off. Default 10 s.</summary>
        public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Optional <c>statement_timeout</c> for each attempt (for steps that must stay short once they hold their lock).</summary>
        public TimeSpan? StatementTimeout { get; set; }

        /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a setting would allow an unbounded wait.</summary>
        public void Validate()
        {
            if (LockTimeout < TimeSpan.FromMilliseconds(1))
                throw new ArgumentOutOfRangeException(nameof(LockTimeout), LockTimeout, "lock_timeout must be at least 1 ms; 0 would let a lock request wait forever and block every query queued behind it.");
            if (MaxAttempts < 1)
                throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "At least one attempt is needed.");
            if (MaxTotalTime <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(MaxTotalTime), MaxTotalTime, "The total time cap must be positive.");
            if (InitialBackoff < TimeSpan.Zero || MaxBackoff < TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(InitialBackoff), "Back-off cannot be negative.");
            if (StatementTimeout is TimeSpan statement && statement < TimeSpan.FromMilliseconds(1))
                throw new ArgumentOutOfRangeException(nameof(StatementTimeout), statement, "statement_timeout must be at least 1 ms when set.");
        }

        /// <summary>
        /// Back-off after <paramref name="failedAttempts"/> failures: exponential, with "equal jitter" (half fixed,
        /// half random) so that two executors or a retrying app do not retry in lock step.
        /// </summary>
        internal TimeSpan Backoff(int failedAttempts, Random random)
        {
            double exponential = InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(30, failedAttempts - 1));
            double capped = Math.Min(MaxBackoff.TotalMilliseconds, exponential);
            return TimeSpan.FromMilliseconds(capped / 2 + random.NextDouble() * capped / 2);
        }

        /// <summary>A duration as a PostgreSQL setting value in whole milliseconds (at least 1).</summary>
        internal static string Milliseconds(TimeSpan value)
        {
            long ms = Math.Max(1, (long)Math.Ceiling(value.TotalMilliseconds));
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }
    }
}
