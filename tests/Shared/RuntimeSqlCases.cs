namespace SafeMigrations.Testing.RuntimeSql
{
    /// <summary>
    /// The SQL of the engine tests' run-time SQL app (TestApp/RuntimeSqlMigrations.cs), written as constants. The app
    /// loads the same text from an embedded resource, a file, a helper and string interpolation; the engine tests
    /// assert that the loaded text is this one and how the engine judged it, the analyzer tests that the analyzers
    /// flag this text, written as a constant in migrationBuilder.Sql("..."), with the same rules. Compiled into both.
    /// </summary>
    public static class RuntimeSqlCases
    {
        /// <summary>One migration's SQL, where the app gets it, the rule IDs the analyzers report on it, and whether the engine rewrites it.</summary>
        public sealed record Case(string Migration, string Source, string Sql, string[] Rules, bool Rewritten);

        public const string Accounts = "20240501000000_Accounts";

        public static readonly Case ActivateAccounts = new(
            "20240502000000_ActivateAccounts", "embedded resource", "UPDATE accounts SET status = 'active' WHERE status IS NULL;", new[] { "SM0015" }, Rewritten: true);

        public static readonly Case IndexAccountRegion = new(
            "20240503000000_IndexAccountRegion", "file next to the migration", "CREATE INDEX ix_accounts_region ON accounts (region);", new[] { "SM0001" }, Rewritten: true);

        public static readonly Case CheckAccountScore = new(
            "20240504000000_CheckAccountScore", "helper method", "ALTER TABLE accounts ADD CONSTRAINT ck_accounts_score CHECK (score >= 0);", new[] { "SM0009" }, Rewritten: true);

        public static readonly Case PurgeTestAccounts = new(
            "20240505000000_PurgeTestAccounts", "string interpolation", "DELETE FROM accounts WHERE email LIKE '%@example.test';", new[] { "SM0015" }, Rewritten: true);

        /// <summary>Two dependent statements, the first doubling every score: reported, not rewritten; verify fails it with SM1015.</summary>
        public static readonly Case RescoreAccounts = new(
            "20240506000000_RescoreAccounts", "string interpolation", "UPDATE accounts SET score = score * 2;\nUPDATE accounts SET region = 'eu' WHERE region IS NULL;", new[] { "SM0015", "SM0015" }, Rewritten: false);

        public static readonly Case[] All = { ActivateAccounts, IndexAccountRegion, CheckAccountScore, PurgeTestAccounts, RescoreAccounts };

        /// <summary>The migration that creates the "orders" table the schema-change cases work on (TestApp/RuntimeSqlRuleMigrations.cs).</summary>
        public const string Orders = "20240801000000_Orders";

        public static readonly Case DropOrdersIndex = new(
            "20240802000000_DropOrdersIndex", "helper method", "DROP INDEX ix_orders_placed;", new[] { "SM0002" }, Rewritten: true);

        public static readonly Case RequireOrderCode = new(
            "20240803000000_RequireOrderCode", "helper method", "ALTER TABLE orders ALTER COLUMN code SET NOT NULL;", new[] { "SM0006" }, Rewritten: true);

        public static readonly Case AddOrderToken = new(
            "20240804000000_AddOrderToken", "helper method", "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();", new[] { "SM0004" }, Rewritten: false);

        public static readonly Case WidenOrderTotal = new(
            "20240805000000_WidenOrderTotal", "helper method", "ALTER TABLE orders ALTER COLUMN total TYPE bigint;", new[] { "SM0007" }, Rewritten: false);

        public static readonly Case UniqueOrderCode = new(
            "20240806000000_UniqueOrderCode", "helper method", "ALTER TABLE orders ADD CONSTRAINT uq_orders_code UNIQUE (code);", new[] { "SM0010" }, Rewritten: true);

        public static readonly Case DropOrderNotes = new(
            "20240807000000_DropOrderNotes", "helper method", "DROP TABLE order_notes;", new[] { "SM0014" }, Rewritten: false);

        /// <summary>One raw schema change per rule, each in its own migration after <see cref="Orders"/>, in migration order.</summary>
        public static readonly Case[] SchemaChanges = { DropOrdersIndex, RequireOrderCode, AddOrderToken, WidenOrderTotal, UniqueOrderCode, DropOrderNotes };
    }
}
