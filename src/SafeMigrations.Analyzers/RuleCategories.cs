namespace SafeMigrations.Analyzers
{
    /// <summary>Diagnostic categories.</summary>
    public static class RuleCategories
    {
        /// <summary>A step that holds a lock which blocks the application (writes or reads) for a long time, or rewrites a table.</summary>
        public const string Locking = "SafeMigrations.Locking";

        /// <summary>A step that breaks the application version that is still running (renames, drops).</summary>
        public const string Compatibility = "SafeMigrations.Compatibility";

        /// <summary>A step that changes many rows at once, or fails on existing data.</summary>
        public const string Data = "SafeMigrations.Data";

        /// <summary>The production statistics snapshot the other rules read table sizes from.</summary>
        public const string Statistics = "SafeMigrations.Statistics";

        /// <summary>The analyzers' own options in .editorconfig / .globalconfig.</summary>
        public const string Configuration = "SafeMigrations.Configuration";
    }
}
