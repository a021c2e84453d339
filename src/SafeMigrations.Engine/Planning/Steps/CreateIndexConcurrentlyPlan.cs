namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>CreateIndexConcurrently</c> (SM0001), planned from its SQL: runs outside a transaction (CONCURRENTLY); verified by the index being valid (an invalid leftover is not: it must be dropped first, <c>IF NOT EXISTS</c> would skip it), so a rerun skips a valid one; undone by <c>DROP INDEX CONCURRENTLY</c>.
    /// </summary>
    internal sealed class CreateIndexConcurrentlyPlan : SqlStepPlan
    {
        public CreateIndexConcurrentlyPlan()
            : base(SafeMigrationSteps.CreateIndexConcurrently)
        {
        }
    }
}
