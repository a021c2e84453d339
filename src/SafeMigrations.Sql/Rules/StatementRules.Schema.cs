using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

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

        public static readonly StatementRule AlterColumnTypeRewritesTable = new StatementRule(
            "SM0007",
            title: "Change column types without rewriting the table",
            messageFormat: "{0} changes the type of column '{1}' of existing table '{2}' {3}: PostgreSQL rewrites '{2}' and rebuilds its indexes under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it until the migration commits; add a new column, keep it in sync with a trigger, backfill it in batches, swap the columns in a short transaction, and drop the old one in the contract phase",
            description: "ALTER COLUMN ... TYPE rewrites the whole table and its indexes unless the new type is binary-compatible with the old one (same type, varchar(n) to a larger n, varchar to text, numeric precision increase with the same scale...). int to bigint, narrowing, numeric scale changes and text to integer all rewrite while an ACCESS EXCLUSIVE lock blocks every query on the table. timestamp <-> timestamptz is conditional: since PostgreSQL 12 it needs no rewrite when the session TimeZone is UTC (set it in the same transaction before the change, valid when the stored values are UTC); under any other zone every row is rewritten and the stored instants shift.");

        /// <summary>Appended to a timestamp ↔ timestamptz change: the rewrite depends on the session time zone.</summary>
        public const string TimeZoneCondition =
            " while the session TimeZone is not set to UTC (since PostgreSQL 12 this change is binary-coercible, without a rewrite, only when TimeZone is UTC; under any other zone every row is rewritten and the stored instants shift by the zone's offset; if the stored values are UTC, run migrationBuilder.Sql(\"SET LOCAL TimeZone = 'UTC'\") before it in the same transaction; indexes on the column are rebuilt either way)";

        public static readonly StatementRule AddUniqueOrPrimaryKeyUnderLock = new StatementRule(
            "SM0010",
            title: "Build unique constraints and primary keys from a concurrently created index",
            messageFormat: "{0} builds its index on existing table '{1}' while holding ACCESS EXCLUSIVE on '{1}' until the migration commits: every read and write of '{1}' waits for the whole build; {2}",
            description: "ADD UNIQUE, ADD PRIMARY KEY and ADD EXCLUDE build an index while holding ACCESS EXCLUSIVE on the table: all reads and writes wait for the whole build, which grows with the table. Build the unique index with CREATE UNIQUE INDEX CONCURRENTLY outside a transaction, then attach it with ADD CONSTRAINT ... UNIQUE/PRIMARY KEY USING INDEX, which is brief.");

        public static readonly StatementRule DropTableOutsideContract = new StatementRule(
            "SM0014",
            title: "Drop tables only in the contract phase",
            messageFormat: "Dropping {0} outside the contract phase breaks the app version still running, which still queries it and fails until every instance runs the new version; the drop also takes an ACCESS EXCLUSIVE lock that queues every query on it behind any long-running one. Remove the entity from the model, deploy, then drop the table in the contract phase: .InContractPhase() (or [ContractPhase] on the migration).",
            description: "During a rolling deployment the previous app version keeps running while the migration runs, and it still maps and queries the table. Remove the entity (and its navigations) from the model first, deploy, and drop the table in the contract phase, after every instance runs the new version.");

        /// <summary>The findings of the schema-change rules on one statement.</summary>
        public static IEnumerable<StatementFinding> SchemaChanges(SqlStatement statement, int postgresVersion = 12, bool sessionIsUtc = false)
        {
            foreach (var finding in DropIndex(statement).Concat(AddColumns(statement, postgresVersion)).Concat(SetNotNulls(statement)).Concat(AlterColumnTypes(statement, postgresVersion, sessionIsUtc)).Concat(AddKeys(statement)).Concat(DropTables(statement))
                .Concat(RenameColumns(statement)).Concat(RenameTables(statement)).Concat(DropColumns(statement)))
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

        /// <summary>
        /// SM0007 as far as the statement shows it: the old type is not written, so any target but text or unbounded
        /// varchar is assumed to rewrite, a USING expression (other than the plain cast) too, and timestamp(tz) targets
        /// unless <paramref name="sessionIsUtc"/> (a SET TimeZone = 'UTC' before it in the same transaction).
        /// </summary>
        public static IEnumerable<StatementFinding> AlterColumnTypes(SqlStatement sql, int postgresVersion = 12, bool sessionIsUtc = false)
        {
            if (sql.Kind != StatementKind.AlterTable)
            {
                yield break;
            }

            foreach (var action in sql.Actions)
            {
                if (action.Kind != AlterTableActionKind.AlterColumnType)
                {
                    continue;
                }

                string? change;
                // USING "col"::text converts exactly as no USING: judge it by the type alone.
                if (action.UsingExpression != null && !action.UsingIsPlainCast)
                {
                    change = "with USING " + action.UsingExpression.Trim() + " (a USING expression is assumed to rewrite every row)";
                }
                else if (action.DataType is { } type && postgresVersion >= 12 && ColumnTypes.IsFullPrecisionTimestamp(type))
                {
                    // USING "c"::timestamptz converts like no USING: binary-coercible from timestamp under UTC (checked on PostgreSQL 15).
                    change = sessionIsUtc ? null : "to " + type + TimeZoneCondition;
                }
                else if (action.DataType is { } other && !IsUsualWideningTarget(other))
                {
                    change = "to " + other + " (the old type is unknown, so a rewrite is assumed)";
                }
                else
                {
                    change = null;
                }

                if (change != null)
                {
                    yield return new StatementFinding(AlterColumnTypeRewritesTable, sql, action, SafeRewrite.None, "ALTER COLUMN ... TYPE", action.Column ?? "?", sql.Table?.ToString() ?? "?", change);
                }
            }
        }

        /// <summary>text and unbounded varchar: the usual targets of a widening, binary-compatible from varchar/text.</summary>
        public static bool IsUsualWideningTarget(string type)
        {
            var normalized = ColumnTypes.Normalize(type);
            return normalized == "text" || normalized == "character varying";
        }

        /// <summary>
        /// SM0010: ADD UNIQUE, PRIMARY KEY or EXCLUDE (not USING INDEX), and ADD COLUMN ... UNIQUE/PRIMARY KEY. The third
        /// argument is the advice; the analyzer puts what the history knows of nullable key columns before it. A named
        /// key on a plain column list, alone in its statement, can be built concurrently and attached.
        /// </summary>
        public static IEnumerable<StatementFinding> AddKeys(SqlStatement sql)
        {
            if (sql.Kind != StatementKind.AlterTable || sql.Table is null)
            {
                yield break;
            }

            var table = sql.Table.ToString();
            foreach (var action in sql.Actions)
            {
                if (action.Kind == AlterTableActionKind.AddConstraint && !action.UsingIndex && KeyKeyword(action.Constraint) is { } keyword)
                {
                    var what = action.Name is null ? "ADD " + keyword : "ADD CONSTRAINT '" + action.Name + "' " + keyword;
                    var rewrite = sql.Actions.Count == 1 && action.Name is not null && action.Columns.Count > 0 && PlainKey.IsMatch(action.Text)
                        ? SafeRewrite.KeyThroughIndex
                        : SafeRewrite.None;
                    yield return new StatementFinding(AddUniqueOrPrimaryKeyUnderLock, sql, action, rewrite, what, table, KeySafeSequence(keyword));
                }
                else if (action.Kind == AlterTableActionKind.AddColumn && InlineKeyKeyword(action) is { } inline)
                {
                    yield return new StatementFinding(AddUniqueOrPrimaryKeyUnderLock, sql, action, SafeRewrite.None, "ADD COLUMN '" + action.Column + "' ... " + inline, table, KeySafeSequence(inline));
                }
            }
        }

        /// <summary>SM0010's advice for a key of <paramref name="keyword"/> (UNIQUE, PRIMARY KEY, EXCLUDE).</summary>
        public static string KeySafeSequence(string keyword) =>
            keyword == "EXCLUDE"
                ? "an exclusion constraint cannot use a prebuilt index: add it while the table is small or empty, or in a maintenance window"
                : "create the index with CREATE UNIQUE INDEX CONCURRENTLY (suppressTransaction: true), then ALTER TABLE ... ADD CONSTRAINT ... " + keyword + " USING INDEX";

        /// <summary>UNIQUE, PRIMARY KEY or EXCLUDE; null for other constraints.</summary>
        public static string? KeyKeyword(ConstraintKind kind)
        {
            switch (kind)
            {
                case ConstraintKind.Unique:
                    return "UNIQUE";
                case ConstraintKind.PrimaryKey:
                    return "PRIMARY KEY";
                case ConstraintKind.Exclusion:
                    return "EXCLUDE";
                default:
                    return null;
            }
        }

        private static string? InlineKeyKeyword(AlterTableAction action)
        {
            foreach (var kind in action.InlineConstraints)
            {
                if (kind == ConstraintKind.PrimaryKey || kind == ConstraintKind.Unique)
                {
                    return KeyKeyword(kind);
                }
            }

            return null;
        }

        // ADD CONSTRAINT name UNIQUE|PRIMARY KEY (columns) and nothing else: no INCLUDE, WITH, USING INDEX TABLESPACE,
        // DEFERRABLE or NULLS NOT DISTINCT, which CREATE UNIQUE INDEX + USING INDEX would not carry over as written.
        private static readonly Regex PlainKey = new Regex(
            @"^\s*ADD\s+CONSTRAINT\s+(""[^""]+""|\w+)\s+(UNIQUE|PRIMARY\s+KEY)\s*\([^()]*\)\s*$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>SM0014: DROP TABLE (every table it names; the analyzer leaves out the ones the migration created).</summary>
        public static IEnumerable<StatementFinding> DropTables(SqlStatement sql)
        {
            if (sql.Kind == StatementKind.DropTable && sql.Table is not null)
            {
                var names = (sql.Tables.Count > 0 ? sql.Tables : new[] { sql.Table }).Select(t => t.ToString()).ToList();
                yield return new StatementFinding(DropTableOutsideContract, sql, null, SafeRewrite.None, DroppedTables(names));
            }
        }

        /// <summary>SM0014's name of the dropped tables: <c>table 'a'</c>, <c>tables 'a', 'b'</c>.</summary>
        public static string DroppedTables(IReadOnlyList<string> names) => Named("table", names);

        /// <summary>SM0002's name for the table of a dropped index (a DROP INDEX does not name it).</summary>
        public static string IndexTable(string? table) => table is null ? "the index's table" : "table '" + table + "'";
    }
}
