namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>What the keyset-batched kinds (<see cref="BackfillPlan"/>, <see cref="DeleteInBatchesPlan"/>) share.</summary>
    internal static class BatchedStep
    {
        /// <summary>Adds a step that runs <paramref name="statement"/> in keyset batches, each its own transaction.</summary>
        public static PlanStep Add(IPlanDraft plan, string kind, string description, string statement, BackfillSpec batches)
        {
            string qualified = SqlIdentifier.Qualify(batches.Schema, batches.Table);
            PlanStep step = plan.Add(kind, description, statement + " -- in keyset batches",
                StepTransaction.Batched, $"ROW EXCLUSIVE on {qualified}; each batch's rows locked until that batch commits");
            step.Backfill = batches;
            return step;
        }

        /// <summary>Verifies a batched step by no row matching its <c>Where</c>; false for a step that is not batched.</summary>
        public static bool Verify(PlanStep step, string proves)
        {
            if (step.Backfill is not BackfillSpec batches)
                return false;
            step.VerificationSql = CatalogChecks.NoRowMatches(batches.Schema, batches.Table, batches.Where);
            step.VerificationDescription = proves;
            return true;
        }

        /// <summary>The <c>BatchSize</c> annotation: the first batch's size, or null for the default.</summary>
        public static int? BatchSize(SafeStepOperation operation) => operation[StepAnnotations.BatchSize] as int?;

        /// <summary>The <c>KeyColumns</c> annotation, or null to walk the primary key.</summary>
        public static string[]? KeyColumns(SafeStepOperation operation) => operation[StepAnnotations.KeyColumns] as string[];
    }
}
