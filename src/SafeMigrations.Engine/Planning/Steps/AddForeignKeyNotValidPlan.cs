namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>AddForeignKeyNotValid</c> (SM0008), planned from its SQL: a short blocking transaction with lock_timeout and retries (SHARE ROW EXCLUSIVE on both tables, no scan); verified by the constraint existing; undone by dropping it.
    /// </summary>
    internal sealed class AddForeignKeyNotValidPlan : SqlStepPlan
    {
        public AddForeignKeyNotValidPlan()
            : base(SafeMigrationSteps.AddForeignKeyNotValid)
        {
        }
    }
}
