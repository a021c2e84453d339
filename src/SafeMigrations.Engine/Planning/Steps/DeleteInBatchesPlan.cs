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
            string? schema = operation.Schema;
            string qualified = SqlIdentifier.Qualify(schema, table);
            PlanStep delete = plan.Add("delete-in-batches", $"delete from {qualified} in batches", $"DELETE FROM {qualified} WHERE {where} -- in keyset batches",
                StepTransaction.Batched, BatchedStep.Lock(qualified));
            delete.Backfill = BackfillSpec.Delete(schema, table, where, operation[StepAnnotations.BatchSize] as int?, operation[StepAnnotations.KeyColumns] as string[]);
            return delete;
        }

        /// <inheritdoc />
        public override void Verify(PlanStep step, SafeStepOperation operation)
        {
            if (step.Backfill is not BackfillSpec batches)
                return;
            step.VerificationSql = CatalogChecks.NoRowMatches(batches.Schema, batches.Table, batches.Where);
            step.VerificationDescription = "no row matches the where";
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
