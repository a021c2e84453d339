namespace SafeMigrations.Engine.Planning
{
    /// <summary>
    /// The <c>SafeMigrations:*</c> annotation names and step values the planner reads. Kept as literal strings so the
    /// engine reads migrations compiled against any version of the runtime library; they equal
    /// <c>SafeMigrationsAnnotations</c> / <c>SafeMigrationSteps</c>.
    /// </summary>
    internal static class StepAnnotations
    {
        public const string Step = "SafeMigrations:Step";
        public const string Part = "SafeMigrations:Part";
        public const string Schema = "SafeMigrations:Schema";
        public const string Table = "SafeMigrations:Table";
        public const string Name = "SafeMigrations:Name";
        public const string Set = "SafeMigrations:Set";
        public const string Where = "SafeMigrations:Where";
        public const string BatchSize = "SafeMigrations:BatchSize";
        public const string KeyColumns = "SafeMigrations:KeyColumns";
        public const string TriggerName = "SafeMigrations:TriggerName";
        public const string FunctionName = "SafeMigrations:FunctionName";

        public const string BackfillStep = "Backfill";
        public const string CreateSyncTriggerStep = "CreateSyncTrigger";
    }
}
