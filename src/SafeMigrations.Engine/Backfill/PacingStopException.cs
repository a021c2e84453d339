using System;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>
    /// Pacing stopped batched work before a batch: it waited longer than the maximum pause (SM1017), or the latency probe
    /// failed (SM1001). Batches already committed stay; a rerun resumes after the last one.
    /// </summary>
    public sealed class PacingStopException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public PacingStopException(string code, string message, Exception? inner = null)
            : base(message, inner)
        {
            Code = code;
        }

        /// <summary>The engine code (<see cref="Reporting.EngineCodes"/>).</summary>
        public string Code { get; }
    }
}
