using System;
using System.Collections.Generic;
using System.Linq;

namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>The plan of every safe step kind, by its <see cref="SafeMigrationSteps"/> name.</summary>
    internal static class SafeStepPlans
    {
        /// <summary>One per <see cref="SafeMigrationSteps"/> name, in that class's order (the registry test holds it to that).</summary>
        internal static readonly IReadOnlyList<ISafeStepPlan> Registered = new ISafeStepPlan[]
        {
            new CreateIndexConcurrentlyPlan(),
            new DropIndexConcurrentlyPlan(),
            new AddForeignKeyNotValidPlan(),
            new AddCheckConstraintNotValidPlan(),
            new ValidateConstraintPlan(),
            new AddUniqueConstraintUsingIndexPlan(),
            new AddPrimaryKeyUsingIndexPlan(),
            new SetNotNullThroughCheckPlan(),
            new BackfillPlan(),
            new DeleteInBatchesPlan(),
            new CreateSyncTriggerPlan(),
            new DropSyncTriggerPlan(),
            new SwapColumnsPlan(),
            new CreateCompatibilityViewPlan(),
            new DropCompatibilityViewPlan(),
        };

        private static readonly Dictionary<string, ISafeStepPlan> ByStep = Registered.ToDictionary(p => p.Step, StringComparer.Ordinal);

        /// <summary>The plan of <paramref name="step"/>; a kind this engine does not know is planned from its SQL.</summary>
        public static ISafeStepPlan For(string step)
            => ByStep.TryGetValue(step, out ISafeStepPlan? plan) ? plan : new UnknownStepPlan(step);
    }
}
