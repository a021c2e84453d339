using System.Collections.Generic;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// The shared tail of the column recipes (SM0004-SM0007): fill existing rows in batches, then NOT NULL through a
    /// validated check. Table, schema and column are C# source text (a literal, or the migration's own expression).
    /// </summary>
    internal static class ColumnSteps
    {
        public const string BackfillDefaultComment = "// Backfill: existing rows get the column's default, in batches (SET ... = DEFAULT evaluates it per row).";

        public const string NotNullComment = "// Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).";

        /// <summary><c>Backfill(table, column, value: "DEFAULT", where: "\"c\" IS NULL")</c>.</summary>
        public static string BackfillDefault(string receiver, string tableCode, string? schemaCode, string column) =>
            StepCall.RenderLine(receiver, "Backfill",
                ("table", tableCode),
                ("column", CSharpCode.String(column)),
                ("value", CSharpCode.String("DEFAULT")),
                ("where", CSharpCode.String(SqlFix.Quote(column) + " IS NULL")),
                ("schema", schemaCode));

        /// <summary><c>SetNotNullThroughCheck(column, table, schema)</c>.</summary>
        public static string SetNotNull(string receiver, string tableCode, string? schemaCode, string column) =>
            StepCall.RenderLine(receiver, "SetNotNullThroughCheck",
                ("column", CSharpCode.String(column)),
                ("table", tableCode),
                ("schema", schemaCode));

        /// <summary>The backfill (with its comment) and, when <paramref name="notNull"/>, the NOT NULL step.</summary>
        public static IEnumerable<string> FillWithDefault(string receiver, string tableCode, string? schemaCode, string column, bool notNull)
        {
            yield return BackfillDefaultComment;
            yield return BackfillDefault(receiver, tableCode, schemaCode, column);
            if (notNull)
            {
                yield return NotNullComment;
                yield return SetNotNull(receiver, tableCode, schemaCode, column);
            }
        }
    }
}
