using System;
using System.Collections.Generic;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>
    /// A <c>CREATE INDEX CONCURRENTLY</c> waited longer than its cap for other transactions to finish and was cancelled.
    /// </summary>
    public sealed class IndexBuildWaitException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public IndexBuildWaitException(string message, IReadOnlyList<BlockingSession> blockers, bool leftoverDropped, Exception? inner)
            : base(message, inner)
        {
            Blockers = blockers;
            LeftoverDropped = leftoverDropped;
        }

        /// <summary>The sessions the build waited for when it was cancelled (empty when they could not be read).</summary>
        public IReadOnlyList<BlockingSession> Blockers { get; }

        /// <summary>The invalid index the cancelled build left was dropped; otherwise the rerun drops it.</summary>
        public bool LeftoverDropped { get; }
    }
}
