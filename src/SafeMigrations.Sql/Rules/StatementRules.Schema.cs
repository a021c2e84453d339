using System.Collections.Generic;

namespace SafeMigrations.Sql.Rules
{
    /// <summary>
    /// The statement rules on schema changes written as raw SQL (SM0002 ...): the part of each rule that the statement
    /// alone decides. What only the C# source shows (an index no migration created, a proof earlier in the method)
    /// stays in the analyzer.
    /// </summary>
    public static partial class StatementRules
    {
        public static readonly StatementRule DropIndexNonConcurrently = new StatementRule(
            "SM0002",
            title: "Drop indexes concurrently",
            messageFormat: "{0} takes an ACCESS EXCLUSIVE lock on {1} that blocks all reads and writes of it until the migration commits, and queues every later query behind any long-running one; drop it concurrently: migrationBuilder.Sql(\"DROP INDEX CONCURRENTLY IF EXISTS ...\", suppressTransaction: true)",
            description: "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table; Npgsql's DropIndex never emits CONCURRENTLY. While the lock waits behind a running query, every other query on the table waits too. Use DROP INDEX CONCURRENTLY outside a transaction.");

        /// <summary>The findings of the schema-change rules on one statement.</summary>
        public static IEnumerable<StatementFinding> SchemaChanges(SqlStatement statement, int postgresVersion = 12)
        {
            foreach (var finding in DropIndex(statement))
            {
                yield return finding;
            }
        }

        /// <summary>
        /// SM0002: DROP INDEX without CONCURRENTLY. DROP INDEX CONCURRENTLY drops exactly one index and cannot CASCADE,
        /// so only such a statement has the concurrent rewrite.
        /// </summary>
        public static IEnumerable<StatementFinding> DropIndex(SqlStatement sql)
        {
            if (sql.Kind == StatementKind.DropIndex && !sql.Concurrently)
            {
                var what = sql.Index is null ? "DROP INDEX" : "DROP INDEX '" + sql.Index.Name + "'";
                var rewrite = sql.Indexes.Count == 1 && !sql.Cascade ? SafeRewrite.Concurrently : SafeRewrite.None;
                yield return new StatementFinding(DropIndexNonConcurrently, sql, null, rewrite, what, IndexTable(sql.Table?.ToString()));
            }
        }

        /// <summary>SM0002's name for the table of a dropped index (a DROP INDEX does not name it).</summary>
        public static string IndexTable(string? table) => table is null ? "the index's table" : "table '" + table + "'";
    }
}
