namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>DropCompatibilityView</c> (contract of SM0012), planned from its SQL: a short blocking transaction; no verification or undo beyond what the statement gives.
    /// </summary>
    internal sealed class DropCompatibilityViewPlan : SqlStepPlan
    {
        public DropCompatibilityViewPlan()
            : base(SafeMigrationSteps.DropCompatibilityView)
        {
        }
    }
}
