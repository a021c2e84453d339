namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>DropIndexConcurrently</c> (SM0002), planned from its SQL: runs outside a transaction (CONCURRENTLY); verified by the index being gone, so a rerun skips it; no undo (the index definition is gone with it).
    /// </summary>
    internal sealed class DropIndexConcurrentlyPlan : SqlStepPlan
    {
        public DropIndexConcurrentlyPlan()
            : base(SafeMigrationSteps.DropIndexConcurrently)
        {
        }
    }
}
