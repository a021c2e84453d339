namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>CreateSyncTrigger</c> (SM0007, SM0011): one short blocking transaction (two-way: a brief ACCESS EXCLUSIVE to
    /// move both columns' defaults into the trigger); verified by the trigger existing, never skipped on a rerun; undone
    /// by the runtime library's <c>UndoSql</c> (<c>DropSyncTrigger</c>'s SQL), guarded by <see cref="SyncTriggerGuard"/>.
    /// </summary>
    internal sealed class CreateSyncTriggerPlan : SqlStepPlan
    {
        public CreateSyncTriggerPlan()
            : base(SafeMigrationSteps.CreateSyncTrigger)
        {
        }

        /// <inheritdoc />
        public override void Verify(PlanStep step, SafeStepOperation operation)
        {
            if (operation.Table is not string table || operation.Text(StepAnnotations.TriggerName) is not string trigger)
                return;
            step.VerificationSql = CatalogChecks.TriggerExists(operation.Schema, table, trigger);
            step.VerificationDescription = "trigger exists";
            step.SkipWhenVerified = false; // a rerun installs it again, as the psql script does
        }

        /// <inheritdoc />
        public override void Undo(PlanStep step, SafeStepOperation operation)
        {
            if (operation.Table is not string table || operation.Text(StepAnnotations.TriggerName) is not string trigger)
                return;
            string? schema = operation.Schema;
            // The runtime library's own drop (it also gives back the defaults a two-way trigger took over);
            // a library without the annotation never took defaults over, so dropping the objects is the undo.
            step.UndoSql = operation.Text(StepAnnotations.UndoSql)
                ?? $"DROP TRIGGER IF EXISTS {SqlIdentifier.Quote(trigger)} ON {SqlIdentifier.Qualify(schema, table)};"
                + (operation.Text(StepAnnotations.FunctionName) is string function ? $"\nDROP FUNCTION IF EXISTS {SqlIdentifier.Qualify(schema, function)}();" : string.Empty);
            step.UndoGuard = SyncTriggerGuard.For(schema, table, operation.Operation);
        }

        /// <inheritdoc />
        protected override string Lock(SafeStepOperation operation, StatementFacts facts)
            => operation[StepAnnotations.TwoWay] is true && operation.Table is string table
                ? $"ACCESS EXCLUSIVE on {SqlIdentifier.Qualify(operation.Schema, table)}, brief (moves both columns' defaults into the trigger; no scan), then SHARE ROW EXCLUSIVE for the triggers"
                : facts.Lock;
    }
}
