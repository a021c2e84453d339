using System.Collections.Generic;
using System.Linq;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>
    /// A timestamp ↔ timestamptz change under a UTC session (PostgreSQL 12+) rewrites no row, but the ALTER still
    /// rebuilds every index keyed on the column under ACCESS EXCLUSIVE, because the operator class changes (measured on
    /// PostgreSQL 15: plain, multi-column, partial, unique, primary key, hash and BRIN indexes get a new relfilenode; an
    /// index holding the column only as an INCLUDE column is kept). The engine runs such a step as: the column's plain
    /// indexes dropped concurrently, the type changed in a short transaction (catalog only), the same indexes built
    /// again concurrently from their saved definitions. Which indexes are plain is read from the catalog at run time
    /// (Execution/TimestampTzIndexRecipe).
    /// </summary>
    public sealed class TimestampTzIndexes
    {
        internal TimestampTzIndexes(string? schema, string table, string column, bool toTimestampTz, bool oldTypeReadAtRunTime = false)
        {
            Schema = schema;
            Table = table;
            Column = column;
            ToTimestampTz = toTimestampTz;
            OldTypeReadAtRunTime = oldTypeReadAtRunTime;
        }

        /// <summary>
        /// A raw <c>ALTER ... TYPE timestamp[tz]</c>: its old type is unknown until apply reads the column from the
        /// catalog; the recipe runs only when that type is the other timestamp type, the statement as written otherwise.
        /// </summary>
        public bool OldTypeReadAtRunTime { get; }

        /// <summary>Schema, or null for the search_path.</summary>
        public string? Schema { get; }

        /// <summary>Table name (unquoted).</summary>
        public string Table { get; }

        /// <summary>Column name (unquoted).</summary>
        public string Column { get; }

        /// <summary>True for timestamp → timestamptz, false for timestamptz → timestamp.</summary>
        public bool ToTimestampTz { get; }

        /// <summary>The target type as a regtype literal.</summary>
        internal string TargetType => ToTimestampTz ? "timestamptz" : "timestamp";

        /// <summary>What the plan says the step does, including the window in which the column has no plain index.</summary>
        internal string Lock
        {
            get
            {
                string qualified = SqlIdentifier.Qualify(Schema, Table);
                return $"SHARE UPDATE EXCLUSIVE on {qualified} while the plain indexes on {SqlIdentifier.Quote(Column)} are dropped concurrently; "
                    + $"ACCESS EXCLUSIVE on {qualified}, brief, for the type change (catalog only under TimeZone UTC); SHARE UPDATE EXCLUSIVE while they are built again concurrently. "
                    + "From each drop until its rebuild ends, queries that used that index run without it; unique, constraint, expression and partial-on-the-column indexes are left to the ALTER, which rebuilds them under ACCESS EXCLUSIVE (SM1006 at run time)";
            }
        }

        /// <summary>
        /// The recipe for a raw SQL step (<paramref name="statements"/>, one step's SQL) under a UTC session: one ALTER
        /// COLUMN ... TYPE timestamp[tz] alone in its statement, the step's other statements only SETs. Null otherwise,
        /// with <paramref name="notHandled"/> saying why when the step holds such a change in a shape the recipe does not take.
        /// </summary>
        internal static TimestampTzIndexes? ForRawSql(IReadOnlyList<SqlStatement> statements, bool sessionIsUtc, out string? notHandled)
        {
            notHandled = null;
            if (!sessionIsUtc)
                return null; // under another zone every row is rewritten: SM0007's warning says so
            var changes = new List<TimestampTypeChange>();
            foreach (SqlStatement statement in statements)
            {
                if (TimestampTypeChange.Of(statement, out string? why) is { } change)
                    changes.Add(change);
                else if (why is not null)
                    notHandled = why;
            }
            if (notHandled is null && changes.Count == 0)
                return null;
            int meaningful = statements.Count(s => s.Kind != StatementKind.Set && s.Kind != StatementKind.Empty);
            if (notHandled is null && meaningful > 1)
                notHandled = $"a script of {meaningful} statements runs as one step; the concurrent index recipe takes an ALTER COLUMN ... TYPE alone: give it its own Sql(...) call";
            if (notHandled is not null)
            {
                notHandled = $"ALTER COLUMN ... TYPE timestamp[tz] runs as written (if the column has the other timestamp type, PostgreSQL rebuilds its indexes under ACCESS EXCLUSIVE): {notHandled}";
                return null;
            }
            TimestampTypeChange single = changes[0];
            return new TimestampTzIndexes(single.Table.Schema, single.Table.Name, single.Column, single.ToTimestampTz, oldTypeReadAtRunTime: true);
        }

        /// <summary>
        /// What the plan says of a raw step, whose old type only apply reads: the recipe's locks when the column has the
        /// other timestamp type, the ALTER's as written otherwise.
        /// </summary>
        internal string RawSqlLock
            => $"the old type of {SqlIdentifier.Quote(Column)} is read from the catalog at apply time (the statement does not say it): if it is timestamp{(ToTimestampTz ? " without" : " with")} time zone, "
                + Lock + $"; otherwise ACCESS EXCLUSIVE on {SqlIdentifier.Qualify(Schema, Table)}, the statement as written in its own transaction";

        /// <summary>Makes a planned raw SQL step run through the recipe (the step's transaction is None).</summary>
        internal void AttachToRawStep(PlanStep step)
        {
            step.TimeZoneIndexes = this;
            if (step.UndoSql is null && !step.NoUndoNeeded)
                step.NoUndoReason = "no automatic undo for a raw ALTER COLUMN ... TYPE; go back with a new forward migration; if this step was interrupted part way (indexes dropped, not yet built again), rerun apply to finish it first";
        }

        /// <summary>The recipe for <paramref name="alter"/>, or null when it is no rewrite-free time zone change under UTC.</summary>
        internal static TimestampTzIndexes? For(AlterColumnOperation alter, bool sessionIsUtc)
        {
            if (!sessionIsUtc || alter.ColumnType is null || !ColumnTypes.IsRewriteFreeUnderUtc(alter.OldColumn.ColumnType, alter.ColumnType))
                return null;
            bool toTimestampTz = ColumnTypes.Normalize(alter.ColumnType).StartsWith("timestamp with time zone", System.StringComparison.Ordinal);
            return new TimestampTzIndexes(alter.Schema, alter.Table, alter.Name, toTimestampTz);
        }

        /// <summary>The step's own check: the column has the target type (the recipe checks each rebuilt index itself).</summary>
        internal string Verification
            => $"SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = {CatalogChecks.Relation(Schema, Table)} AND attname = {CatalogChecks.Literal(Column)} AND NOT attisdropped AND atttypid = '{TargetType}'::regtype)";
    }
}
