namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// How the engine plans one safe step kind (a <see cref="SafeMigrationSteps"/> name, read from an operation's
    /// <c>SafeMigrations:Step</c> annotation): the step that runs it, what verifies it, what undoes it. Expand or contract
    /// is the operation's phase (<c>.InContractPhase()</c>), the same for every kind. One class per kind in this folder,
    /// named <c>&lt;Kind&gt;Plan</c> and registered in <see cref="SafeStepPlans"/>.
    /// </summary>
    internal interface ISafeStepPlan
    {
        /// <summary>The <see cref="SafeMigrationSteps"/> name this plans.</summary>
        string Step { get; }

        /// <summary>Adds the step that runs <paramref name="operation"/> to <paramref name="plan"/>: its SQL, transaction and lock.</summary>
        PlanStep Plan(SafeStepOperation operation, IPlanDraft plan);

        /// <summary>Sets what proves the step's effect is in place, and whether a rerun may skip it then.</summary>
        void Verify(PlanStep step, SafeStepOperation operation);

        /// <summary>Sets how a rollback undoes the step, what it checks first, or why it cannot undo it.</summary>
        void Undo(PlanStep step, SafeStepOperation operation);
    }
}
