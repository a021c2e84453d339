namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>ValidateConstraint</c> (SM0008, SM0009), planned from its SQL: its own short transaction even though the library suppresses EF's (SHARE UPDATE EXCLUSIVE lets writers run during the scan, and the transaction gets a lock_timeout); verified by <c>pg_constraint.convalidated</c>; needs no undo.
    /// </summary>
    internal sealed class ValidateConstraintPlan : SqlStepPlan
    {
        public ValidateConstraintPlan()
            : base(SafeMigrationSteps.ValidateConstraint)
        {
        }
    }
}
