namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// A step kind this engine does not know (written by a newer runtime library, or by hand): planned from its SQL,
    /// verified and undone as far as the statements' facts allow. Not registered: <see cref="SafeStepPlans.For"/> makes one.
    /// </summary>
    internal sealed class UnknownStepPlan : SqlStepPlan
    {
        public UnknownStepPlan(string step)
            : base(step)
        {
        }
    }
}
