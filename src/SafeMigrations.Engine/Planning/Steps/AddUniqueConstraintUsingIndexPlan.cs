namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>AddUniqueConstraintUsingIndex</c> (SM0010), planned from its SQL: two operations: the unique index built concurrently (as <see cref="CreateIndexConcurrentlyPlan"/>), then the brief blocking attach; each verified and undone on its own.
    /// </summary>
    internal sealed class AddUniqueConstraintUsingIndexPlan : SqlStepPlan
    {
        public AddUniqueConstraintUsingIndexPlan()
            : base(SafeMigrationSteps.AddUniqueConstraintUsingIndex)
        {
        }
    }
}
