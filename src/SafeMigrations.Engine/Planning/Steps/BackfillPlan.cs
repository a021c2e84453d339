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
            string? schema = operation.Schema;
            string qualified = SqlIdentifier.Qualify(schema, table);
            PlanStep backfill = plan.Add("backfill", $"backfill {qualified} in batches", $"UPDATE {qualified} SET {set} WHERE {where} -- in keyset batches",
                StepTransaction.Batched, BatchedStep.Lock(qualified));
            backfill.Backfill = new BackfillSpec(schema, table, set, where, operation[StepAnnotations.BatchSize] as int?, operation[StepAnnotations.KeyColumns] as string[]);
            return backfill;
        }

        /// <inheritdoc />
        public override void Verify(PlanStep step, SafeStepOperation operation)
        {
            if (step.Backfill is not BackfillSpec batches)
                return;
            step.VerificationSql = CatalogChecks.NoRowMatches(batches.Schema, batches.Table, batches.Where);
            step.VerificationDescription = "no row left to do";
        }

        /// <inheritdoc />
        public override void Undo(PlanStep step, SafeStepOperation operation)
        {
            if (step.Backfill is not null)
                step.NoUndoNeeded = true;
        }
    }
}
