using System;

namespace SafeMigrations
{
    /// <summary>
    /// An in-app run failed for a reason SafeMigrations explains: <see cref="Code"/> is one of the engine's codes
    /// (SM1001..SM1016, the same the runner and the MSBuild targets print) and the message names the migration and
    /// step and says what to do. Completed steps stay recorded, so a rerun resumes.
    /// </summary>
    public sealed class SafeMigrationsException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public SafeMigrationsException(string code, string message, SafeMigrationResult? result, Exception? innerException = null)
            : base(code + ": " + message, innerException)
        {
            Code = code;
            Result = result;
        }

        /// <summary>The engine code, e.g. <c>SM1003</c>.</summary>
        public string Code { get; }

        /// <summary>What the run did before it failed (steps, findings, report path), when it got that far.</summary>
        public SafeMigrationResult? Result { get; }
    }
}
