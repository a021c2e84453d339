using System.Collections.Generic;
using System.Linq;
using SafeMigrations.Engine.Loading;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>The ordered steps of one migration.</summary>
    public sealed class MigrationPlan
    {
        internal MigrationPlan(MigrationInfo migration, IReadOnlyList<PlanStep> steps)
        {
            Migration = migration;
            Steps = steps;
        }

        /// <summary>The migration.</summary>
        public MigrationInfo Migration { get; }

        /// <summary>Every step, in execution order within its phase (expand steps run before contract steps).</summary>
        public IReadOnlyList<PlanStep> Steps { get; }

        /// <summary>The expand steps, in order.</summary>
        public IEnumerable<PlanStep> ExpandSteps => Steps.Where(s => s.Phase == MigrationPhase.Expand);

        /// <summary>The contract steps, in order.</summary>
        public IEnumerable<PlanStep> ContractSteps => Steps.Where(s => s.Phase == MigrationPhase.Contract);
    }
}
