namespace SafeMigrations.Engine.Planning
{
    /// <summary>
    /// The <c>SafeMigrations:*</c> annotations the planner reads (the contract in src/SafeMigrations/STEPS.md).
    /// Constants, so they are compiled in and match any runtime library version that keeps the contract. The step kinds
    /// are <see cref="SafeMigrationSteps"/>' own constants, each planned by its class in Planning/Steps.
    /// </summary>
    internal static class StepAnnotations
    {
        public const string Step = SafeMigrationsAnnotations.Step;
        public const string Part = SafeMigrationsAnnotations.Part;
        public const string Schema = SafeMigrationsAnnotations.Schema;
        public const string Table = SafeMigrationsAnnotations.Table;
        public const string Name = SafeMigrationsAnnotations.Name;
        public const string Set = SafeMigrationsAnnotations.Set;
        public const string Where = SafeMigrationsAnnotations.Where;
        public const string BatchSize = SafeMigrationsAnnotations.BatchSize;
        public const string KeyColumns = SafeMigrationsAnnotations.KeyColumns;
        public const string TriggerName = SafeMigrationsAnnotations.TriggerName;
        public const string FunctionName = SafeMigrationsAnnotations.FunctionName;
        public const string FromColumn = SafeMigrationsAnnotations.FromColumn;
        public const string ToColumn = SafeMigrationsAnnotations.ToColumn;
        public const string TwoWay = SafeMigrationsAnnotations.TwoWay;
        public const string ConvertSql = SafeMigrationsAnnotations.ConvertSql;
        public const string ReverseConvertSql = SafeMigrationsAnnotations.ReverseConvertSql;
        public const string UndoSql = SafeMigrationsAnnotations.UndoSql;
        public const string Column = SafeMigrationsAnnotations.Column;
        public const string ReplacementColumn = SafeMigrationsAnnotations.ReplacementColumn;
        public const string OldColumn = SafeMigrationsAnnotations.OldColumn;
    }
}
