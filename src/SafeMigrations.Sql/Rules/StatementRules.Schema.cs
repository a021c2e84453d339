using System;
using System.Collections.Generic;
using System.Linq;

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

        public static readonly StatementRule SetNotNull = new StatementRule(
            "SM0006",
            title: "Set NOT NULL through a validated check constraint",
            messageFormat: "{0} sets NOT NULL on column '{1}' of existing table '{2}': PostgreSQL scans all of '{2}' for NULLs under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it until the migration commits{3}; add CHECK (\"{1}\" IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a separate transaction, then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the check",
            description: "ALTER COLUMN ... SET NOT NULL takes an ACCESS EXCLUSIVE lock and scans the whole table to prove there is no NULL. EF's AlterColumn from nullable to required with a default first runs UPDATE t SET c = <default> WHERE c IS NULL over the whole table. Validate a NOT VALID CHECK (c IS NOT NULL) first (SHARE UPDATE EXCLUSIVE: reads and writes continue); PostgreSQL 12+ then sets NOT NULL without scanning.");

        public static readonly StatementRule AddColumnRewritesTable = new StatementRule(
            "SM0004",
            title: "Add columns without rewriting the table",
            messageFormat: "{0} adds a column to existing table '{1}' {2}: PostgreSQL rewrites '{1}' and all its indexes under an ACCESS EXCLUSIVE lock that blocks all reads and writes of '{1}' until the migration commits; add the column nullable without a default, then set the default, backfill existing rows in batches, and enforce NOT NULL through a validated CHECK constraint",
            description: "ADD COLUMN with a constant or stable default (0, '', now()) only writes the catalog. A volatile default (gen_random_uuid(), random(), clock_timestamp(), nextval(), unknown functions), an identity or serial column, or a stored generated column must compute a value for every existing row: the whole table and its indexes are rewritten while an ACCESS EXCLUSIVE lock blocks every query on it. Before PostgreSQL 11 any default does this.");

        /// <summary>PostgreSQL 11 introduced the fast default: before it, any ADD COLUMN ... DEFAULT rewrites the table.</summary>
        public const int FastDefaultVersion = 11;

        /// <summary>SM0004's reasons, shared with the analyzer's judgement of EF's AddColumn.</summary>
        public const string IdentityRewrites = "as an identity column (a value is generated for every existing row)";

        public const string SerialRewrites = "as a serial column (nextval() is evaluated for every existing row)";

        public const string StoredGeneratedRewrites = "as a stored generated column (computed and stored for every existing row)";

        public const string AnyDefaultRewrites = "with a default (before PostgreSQL 11, adding a column with any default rewrites the table)";

        /// <summary>SM0004's reason for a volatile default.</summary>
        public static string VolatileDefaultRewrites(string expression) => "with the volatile default " + expression + " (evaluated for every existing row)";

        /// <summary>The findings of the schema-change rules on one statement.</summary>
        public static IEnumerable<StatementFinding> SchemaChanges(SqlStatement statement, int postgresVersion = 12)
        {
            foreach (var finding in DropIndex(statement).Concat(AddColumns(statement, postgresVersion)).Concat(SetNotNulls(statement)))
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

        /// <summary>SM0004: ADD COLUMN that fills every existing row (identity, serial, stored generated, volatile default; before PostgreSQL 11 any default).</summary>
        public static IEnumerable<StatementFinding> AddColumns(SqlStatement sql, int postgresVersion = 12)
        {
            if (sql.Kind != StatementKind.AlterTable)
            {
                yield break;
            }

            foreach (var action in sql.Actions)
            {
                if (action.Kind == AlterTableActionKind.AddColumn && AddColumnRewriteReason(action, postgresVersion) is { } reason)
                {
                    yield return new StatementFinding(AddColumnRewritesTable, sql, action, SafeRewrite.None, "ADD COLUMN '" + (action.Column ?? "?") + "'", sql.Table?.ToString() ?? "?", reason);
                }
            }
        }

        /// <summary>Why a raw ADD COLUMN action rewrites the table, or null.</summary>
        public static string? AddColumnRewriteReason(AlterTableAction action, int postgresVersion)
        {
            if (action.Identity)
            {
                return IdentityRewrites;
            }

            if (action.Serial)
            {
                return SerialRewrites;
            }

            if (action.GeneratedStored)
            {
                return StoredGeneratedRewrites;
            }

            var expression = action.DefaultExpression;
            if (expression is null || IsNullLiteral(expression))
            {
                return null;
            }

            if (DefaultExpressions.IsVolatile(expression))
            {
                return VolatileDefaultRewrites(expression.Trim());
            }

            return postgresVersion < FastDefaultVersion ? AnyDefaultRewrites : null;
        }

        /// <summary>The SQL text is the constant NULL.</summary>
        public static bool IsNullLiteral(string expression) => string.Equals(expression.Trim(), "null", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// SM0006: ALTER TABLE ... ALTER COLUMN ... SET NOT NULL. Alone in its statement it can go through a validated
        /// check; whether an earlier statement already proved the column not null is the caller's to know.
        /// </summary>
        public static IEnumerable<StatementFinding> SetNotNulls(SqlStatement sql)
        {
            if (sql.Kind != StatementKind.AlterTable)
            {
                yield break;
            }

            foreach (var action in sql.Actions)
            {
                if (action.Kind == AlterTableActionKind.SetNotNull)
                {
                    var rewrite = sql.Actions.Count == 1 && sql.Table is not null && action.Column is not null ? SafeRewrite.NotNullThroughCheck : SafeRewrite.None;
                    yield return new StatementFinding(SetNotNull, sql, action, rewrite, "ALTER COLUMN ... SET NOT NULL", action.Column ?? "?", sql.Table?.ToString() ?? "?", string.Empty);
                }
            }
        }

        /// <summary>SM0002's name for the table of a dropped index (a DROP INDEX does not name it).</summary>
        public static string IndexTable(string? table) => table is null ? "the index's table" : "table '" + table + "'";
    }
}
