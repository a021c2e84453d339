using System.Collections.Generic;
using System.Linq;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

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

        /// <summary>One <c>migrationBuilder.Sql(...)</c> call of a <see cref="Script"/>: its text, suppressTransaction, and .InContractPhase().</summary>
        public sealed record Call(string Sql, bool SuppressTransaction = false, bool Contract = false);

        /// <summary>
        /// A migration of several Sql(...) calls on "orders" after <see cref="ScriptOrders"/> (TestApp/RuntimeSqlScriptMigrations.cs):
        /// what the analyzers report on it as constants and the engine's plan reports when the app builds the text at run
        /// time. <see cref="Flagged"/>: the rule each finding is reported with and the call whose statement it is on, in order.
        /// </summary>
        public sealed record Script(string Migration, Call[] Calls, params (StatementRule Rule, int Call)[] Flagged)
        {
            public string[] Rules => Flagged.Select(f => f.Rule.Id).ToArray();

            /// <summary>The shared rules' message of each finding, word for word what the analyzers and the engine report.</summary>
            public IEnumerable<string> Messages() => Flagged.Select(f =>
            {
                StatementFinding finding = StatementScanner.Scan(Calls[f.Call].Sql).SelectMany(s => StatementRules.Judge(s)).First(j => j.Rule.Id == f.Rule.Id);
                return f.Rule == StatementRules.RenameColumnReadded ? StatementRules.Readded(finding).Message : finding.Message;
            });
        }

        /// <summary>Creates "orders" (code, placed_at timestamptz, total, note) for the scripts.</summary>
        public const string ScriptOrders = "20240901000000_ScriptOrders";

        public const string ScriptOrdersSql = "CREATE TABLE orders (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, code text, placed_at timestamp with time zone, total integer, note text);";

        /// <summary>Also the end-to-end case: the app builds this rename at run time, in the expand phase.</summary>
        public static readonly Script RenameOrderNote = new("20240902000000_RenameOrderNote",
            new[] { new Call("ALTER TABLE orders RENAME COLUMN note TO remark;") }, (StatementRules.RenameColumn, 0));

        public static readonly Script RenameOrderNoteInContract = new("20240903000000_RenameOrderNoteInContract",
            new[] { new Call("ALTER TABLE orders RENAME COLUMN note TO remark;", Contract: true) });

        public static readonly Script RenameOrderNoteAndReaddIt = new("20240904000000_RenameOrderNoteAndReaddIt",
            new[] { new Call("ALTER TABLE orders RENAME COLUMN note TO remark;"), new Call("ALTER TABLE orders ADD COLUMN note text;") }, (StatementRules.RenameColumnReadded, 0));

        public static readonly Script RenameColumnAddedEarlier = new("20240905000000_RenameColumnAddedEarlier",
            new[] { new Call("ALTER TABLE orders ADD COLUMN memo text;"), new Call("ALTER TABLE orders RENAME COLUMN memo TO remark;") });

        public static readonly Script RenameOrders = new("20240906000000_RenameOrders",
            new[] { new Call("ALTER TABLE orders RENAME TO purchases;") }, (StatementRules.RenameTable, 0));

        public static readonly Script RenameOrdersWithView = new("20240907000000_RenameOrdersWithView",
            new[] { new Call("ALTER TABLE orders RENAME TO purchases;"), new Call("CREATE VIEW orders AS SELECT * FROM purchases;") });

        public static readonly Script DropOrderTotal = new("20240908000000_DropOrderTotal",
            new[] { new Call("ALTER TABLE orders DROP COLUMN total;") }, (StatementRules.DropColumnOutsideContract, 0));

        public static readonly Script DropOrderTotalInContract = new("20240909000000_DropOrderTotalInContract",
            new[] { new Call("ALTER TABLE orders DROP COLUMN total;", Contract: true) });

        public static readonly Script ChangeTableCreatedEarlier = new("20240910000000_ChangeTableCreatedEarlier",
            new[]
            {
                new Call("CREATE TABLE drafts (id bigint PRIMARY KEY, body text, extra text);"),
                new Call("ALTER TABLE drafts RENAME COLUMN body TO content;"),
                new Call("ALTER TABLE drafts DROP COLUMN extra;"),
                new Call("ALTER TABLE drafts RENAME TO sketches;"),
            });

        public static readonly Script ProveOrderCodeNotNull = new("20240911000000_ProveOrderCodeNotNull",
            new[]
            {
                new Call("ALTER TABLE orders ADD CONSTRAINT ck_orders_code CHECK (code IS NOT NULL) NOT VALID;"),
                new Call("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_code;", SuppressTransaction: true),
                new Call("ALTER TABLE orders ALTER COLUMN code SET NOT NULL;"),
            });

        public static readonly Script UnprovenOrderCodeNotNull = new("20240912000000_UnprovenOrderCodeNotNull",
            new[]
            {
                new Call("ALTER TABLE orders ADD CONSTRAINT ck_orders_code CHECK (code IS NOT NULL) NOT VALID;"),
                new Call("ALTER TABLE orders ALTER COLUMN code SET NOT NULL;"),
            },
            (StatementRules.SetNotNull, 1));

        public static readonly Script UtcBeforeTypeChange = new("20240913000000_UtcBeforeTypeChange",
            new[] { new Call("SET LOCAL TimeZone = 'UTC';"), new Call("ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamp without time zone;") });

        /// <summary>The suppressed call commits EF's transaction: the SET LOCAL is gone when the type changes.</summary>
        public static readonly Script UtcLostAtSuppressedCall = new("20240914000000_UtcLostAtSuppressedCall",
            new[]
            {
                new Call("SET LOCAL TimeZone = 'UTC';"),
                new Call("CREATE INDEX CONCURRENTLY ix_orders_code ON orders (code);", SuppressTransaction: true),
                new Call("ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamp without time zone;"),
            },
            (StatementRules.AlterColumnTypeRewritesTable, 2));

        /// <summary>A session-level SET outlives the commit.</summary>
        public static readonly Script UtcKeptAcrossSuppressedCall = new("20240915000000_UtcKeptAcrossSuppressedCall",
            new[]
            {
                new Call("SET TimeZone = 'UTC';"),
                new Call("CREATE INDEX CONCURRENTLY ix_orders_code ON orders (code);", SuppressTransaction: true),
                new Call("ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamp without time zone;"),
            });

        public static readonly Script[] Scripts =
        {
            RenameOrderNote, RenameOrderNoteInContract, RenameOrderNoteAndReaddIt, RenameColumnAddedEarlier, RenameOrders, RenameOrdersWithView,
            DropOrderTotal, DropOrderTotalInContract, ChangeTableCreatedEarlier, ProveOrderCodeNotNull, UnprovenOrderCodeNotNull,
            UtcBeforeTypeChange, UtcLostAtSuppressedCall, UtcKeptAcrossSuppressedCall,
        };
    }
}
