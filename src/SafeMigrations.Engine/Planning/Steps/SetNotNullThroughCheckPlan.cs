namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>SetNotNullThroughCheck</c> (SM0006, SM0004/5): four operations, each planned from its SQL in its own short
    /// transaction (the check added NOT VALID, validated under SHARE UPDATE EXCLUSIVE, SET NOT NULL without a scan, the
    /// check dropped). The <c>DropCheck</c> part needs no undo: the helper check only lives between its own steps.
    /// </summary>
    internal sealed class SetNotNullThroughCheckPlan : SqlStepPlan
    {
        public SetNotNullThroughCheckPlan()
            : base(SafeMigrationSteps.SetNotNullThroughCheck)
        {
        }

        /// <inheritdoc />
        public override void Undo(PlanStep step, SafeStepOperation operation)
        {
            if (operation.Part == SafeMigrationStepParts.DropCheck)
                step.NoUndoNeeded = true;
        }
    }
}
