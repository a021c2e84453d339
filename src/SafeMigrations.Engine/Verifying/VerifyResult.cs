using System;
using System.Collections.Generic;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>What a verify run saw and why it failed, if it did.</summary>
    public sealed class VerifyResult
    {
        /// <summary>True when nothing was found.</summary>
        public bool Passed => Findings.Count == 0;

        /// <summary>Reasons to fail, in the order found.</summary>
        public List<VerifyFinding> Findings { get; } = new List<VerifyFinding>();

        /// <summary>Every traced step, in order (expand, contract, and the re-applied last expand).</summary>
        public List<StepTrace> Steps { get; } = new List<StepTrace>();

        /// <summary>Seeding per migration: migration id → one line per table.</summary>
        public List<KeyValuePair<string, List<string>>> Seeding { get; } = new List<KeyValuePair<string, List<string>>>();

        /// <summary>Things worth knowing that do not fail the run (rollback round trip skipped, schema comparison skipped).</summary>
        public List<string> Notes { get; } = new List<string>();

        /// <summary>Step name and its estimated production impact from the statistics snapshot (empty without one).</summary>
        public List<KeyValuePair<string, string>> ProductionImpact { get; } = new List<KeyValuePair<string, string>>();

        /// <summary>Differences from the schema plain EF Core builds ("missing: ..." / "unexpected: ..."); null when not compared.</summary>
        public List<string>? SchemaDifferences { get; internal set; }

        /// <summary>Migrations verified, in order.</summary>
        public List<string> Migrations { get; } = new List<string>();

        /// <summary>The server used, for the report.</summary>
        public string Server { get; internal set; } = string.Empty;

        /// <summary>Lock budget used.</summary>
        public TimeSpan LockBudget { get; internal set; }

        /// <summary>Wall time of the whole run.</summary>
        public TimeSpan Duration { get; internal set; }
    }
}
