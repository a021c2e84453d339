namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>AddCheckConstraintNotValid</c> (SM0009), planned from its SQL: a short blocking transaction with lock_timeout and retries (brief ACCESS EXCLUSIVE, no scan); verified by the constraint existing; undone by dropping it.
    /// </summary>
    internal sealed class AddCheckConstraintNotValidPlan : SqlStepPlan
    {
        public AddCheckConstraintNotValidPlan()
            : base(SafeMigrationSteps.AddCheckConstraintNotValid)
        {
        }
    }
}
