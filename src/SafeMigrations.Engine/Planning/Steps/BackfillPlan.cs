namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>Backfill</c> (SM0015, and the fills of SM0004–SM0007, SM0011): the UPDATE runs in keyset batches, each its own
    /// transaction, resumable; verified when no row matches <c>Where</c>; needs no undo (what it filled goes with the
    /// expand's own undo). Without its <c>Table</c>, <c>Set</c> and <c>Where</c> annotations it is planned from its SQL.
    /// </summary>
    internal sealed class BackfillPlan : SqlStepPlan
    {
        public BackfillPlan()
            : base(SafeMigrationSteps.Backfill)
        {
        }

        /// <inheritdoc />
        public override PlanStep Plan(SafeStepOperation operation, IPlanDraft plan)
        {
            if (operation.Table is not string table || operation.Text(StepAnnotations.Set) is not string set || operation.Text(StepAnnotations.Where) is not string where)
                return base.Plan(operation, plan);
            string qualified = SqlIdentifier.Qualify(operation.Schema, table);
            return BatchedStep.Add(plan, "backfill", $"backfill {qualified} in batches", $"UPDATE {qualified} SET {set} WHERE {where}",
                new BackfillSpec(operation.Schema, table, set, where, BatchedStep.BatchSize(operation), BatchedStep.KeyColumns(operation)));
        }

        /// <inheritdoc />
        public override void Verify(PlanStep step, SafeStepOperation operation) => BatchedStep.Verify(step, "no row left to do");

        /// <inheritdoc />
        public override void Undo(PlanStep step, SafeStepOperation operation)
        {
            if (step.Backfill is not null)
                step.NoUndoNeeded = true;
        }
    }
}
