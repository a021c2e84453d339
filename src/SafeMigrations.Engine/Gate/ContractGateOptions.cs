using System;

namespace SafeMigrations.Engine.Gate
{
    /// <summary>Settings of the contract gate (see docs/contract-gate.md).</summary>
    public sealed class ContractGateOptions
    {
        /// <summary>
        /// Run contract steps without checking whether a running app version still uses what they drop. Printed as an
        /// SM1016 warning naming the targets. Runner: <c>--contract-gate skip</c>; MSBuild: <c>SafeMigrationsContractGate=skip</c>.
        /// </summary>
        public bool Skip { get; set; }

        /// <summary>
        /// How long calls of <c>pg_stat_statements</c> are watched for statements naming a target (two samples this far
        /// apart, taken once per contract run). Default 60 s. Runner: <c>--contract-gate-window &lt;ms&gt;</c>.
        /// </summary>
        public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);
    }
}
