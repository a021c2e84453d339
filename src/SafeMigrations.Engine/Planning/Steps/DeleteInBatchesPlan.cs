namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>DeleteInBatches</c> (SM0015): the DELETE runs in keyset batches, each its own transaction, resumable; verified
    /// (and skipped on a rerun) when no row matches <c>Where</c>; no undo: deleted rows are gone, so a rollback refuses
    /// (SM1008) once a batch has run. Without its <c>Table</c> and <c>Where</c> annotations it is planned from its SQL.
    /// </summary>
    internal sealed class DeleteInBatchesPlan : SqlStepPlan
    {
        public DeleteInBatchesPlan()
            : base(SafeMigrationSteps.DeleteInBatches)
        {
        }

        /// <inheritdoc />
        public override PlanStep Plan(SafeStepOperation operation, IPlanDraft plan)
        {
            if (operation.Table is not string table || operation.Text(StepAnnotations.Where) is not string where)
                return base.Plan(operation, plan);
            string qualified = SqlIdentifier.Qualify(operation.Schema, table);
            return BatchedStep.Add(plan, "delete-in-batches", $"delete from {qualified} in batches", $"DELETE FROM {qualified} WHERE {where}",
                BackfillSpec.Delete(operation.Schema, table, where, BatchedStep.BatchSize(operation), BatchedStep.KeyColumns(operation)));
        }

        /// <inheritdoc />
        public override void Verify(PlanStep step, SafeStepOperation operation)
        {
            if (BatchedStep.Verify(step, "no row matches the where"))
                step.SkipWhenVerified = true; // nothing left to delete: done (also covers a crash between the last batch and its record)
        }

        /// <inheritdoc />
        public override void Undo(PlanStep step, SafeStepOperation operation)
        {
            if (step.Backfill is not null)
                step.NoUndoReason = "deleted rows cannot be restored; once a batch has run, rollback of this migration refuses (SM1008): revert with a new forward migration";
        }
    }
}
