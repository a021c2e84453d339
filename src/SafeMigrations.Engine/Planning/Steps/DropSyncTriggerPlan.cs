namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>DropSyncTrigger</c> (contract of SM0007, SM0011): a short blocking transaction planned from its SQL; the step
    /// names the synced columns for the contract gate (<see cref="PlanStep.DroppedSync"/>). Immediately followed by the
    /// drop of a column it syncs, both run as one step (<see cref="TriggerAndColumnDrop"/>).
    /// </summary>
    internal sealed class DropSyncTriggerPlan : SqlStepPlan
    {
        public DropSyncTriggerPlan()
            : base(SafeMigrationSteps.DropSyncTrigger)
        {
        }

        /// <inheritdoc />
        public override PlanStep Plan(SafeStepOperation operation, IPlanDraft plan)
        {
            PlanStep step = base.Plan(operation, plan);
            if (operation.Table is string table && operation.Text(StepAnnotations.FromColumn) is string from && operation.Text(StepAnnotations.ToColumn) is string to)
                step.DroppedSync = new Gate.SyncedColumns(operation.Schema, table, from, to);
            return step;
        }
    }
}
