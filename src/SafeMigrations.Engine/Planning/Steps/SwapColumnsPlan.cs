namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>SwapColumns</c> (SM0007), planned from its SQL: one short blocking transaction for the whole operation (the trigger drop, both renames, the reverse trigger); no verification or undo beyond what its statements give.
    /// </summary>
    internal sealed class SwapColumnsPlan : SqlStepPlan
    {
        public SwapColumnsPlan()
            : base(SafeMigrationSteps.SwapColumns)
        {
        }
    }
}
