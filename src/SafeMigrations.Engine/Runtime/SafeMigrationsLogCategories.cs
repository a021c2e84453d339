namespace SafeMigrations
{
    /// <summary>
    /// Logger categories of the in-app API, for log filters (<c>"Logging": { "LogLevel": { "SafeMigrations": "Information" } }</c>).
    /// Each message carries its engine code as the event id (SM1003 is event 1003, named "SM1003").
    /// </summary>
    public static class SafeMigrationsLogCategories
    {
        /// <summary>Parent of every category below.</summary>
        public const string Root = "SafeMigrations";

        /// <summary>The plan command.</summary>
        public const string Plan = Root + ".Plan";

        /// <summary>The apply command: steps, phases, history rows, waiting for another instance.</summary>
        public const string Apply = Root + ".Apply";

        /// <summary>The status command.</summary>
        public const string Status = Root + ".Status";

        /// <summary>The rollback command.</summary>
        public const string Rollback = Root + ".Rollback";

        /// <summary>Batched backfills while they run: progress (rows, rate, ETA), resume position, lock retries of batches.</summary>
        public const string Backfill = Root + ".Backfill";
    }
}
