namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>AddPrimaryKeyUsingIndex</c> (SM0010), planned from its SQL: two operations: the unique index built concurrently (as <see cref="CreateIndexConcurrentlyPlan"/>), then the brief blocking attach as the primary key; each verified and undone on its own.
    /// </summary>
    internal sealed class AddPrimaryKeyUsingIndexPlan : SqlStepPlan
    {
        public AddPrimaryKeyUsingIndexPlan()
            : base(SafeMigrationSteps.AddPrimaryKeyUsingIndex)
        {
        }
    }
}
