using System.Linq;

namespace SafeMigrations.Sql
{
    /// <summary>
    /// A raw <c>ALTER TABLE t ALTER COLUMN c [SET DATA] TYPE timestamp[tz]</c> that is a timestamp ↔ timestamptz change
    /// when the column has the other timestamp type: no rewrite under a UTC session (PostgreSQL 12+), but every index
    /// keyed on the column is rebuilt under the ALTER's ACCESS EXCLUSIVE lock. The statement does not say the old type;
    /// whoever reads it (the engine from the catalog, the analyzers from the schema history) decides with it.
    /// </summary>
    public sealed class TimestampTypeChange
    {
        private TimestampTypeChange(QualifiedName table, AlterTableAction action)
        {
            Table = table;
            Action = action;
        }

        /// <summary>The table, unquoted and case-folded as PostgreSQL resolves it (schema null for the search_path).</summary>
        public QualifiedName Table { get; }

        /// <summary>The ALTER COLUMN ... TYPE action.</summary>
        public AlterTableAction Action { get; }

        /// <summary>The column, unquoted and case-folded.</summary>
        public string Column => Action.Column!;

        /// <summary>The target type as written (a timestamp type of precision 6 or none).</summary>
        public string NewType => Action.DataType!;

        /// <summary>True for a target <c>timestamp with time zone</c>, false for <c>timestamp without time zone</c>.</summary>
        public bool ToTimestampTz => ColumnTypes.Normalize(NewType).StartsWith("timestamp with time zone", System.StringComparison.Ordinal);

        /// <summary>
        /// The change in <paramref name="statement"/>, or null. Null with a <paramref name="notHandled"/> reason when the
        /// statement holds such a change in a shape the concurrent index recipe does not take (other actions next to it,
        /// several columns, ALTER TABLE ... without a table name); null without a reason when it holds none (another
        /// target type, a precision below 6 — a rewrite even under UTC — or a USING other than the plain cast of the column).
        /// </summary>
        public static TimestampTypeChange? Of(SqlStatement statement, out string? notHandled)
        {
            notHandled = null;
            if (statement.Kind != StatementKind.AlterTable)
                return null;
            var candidates = statement.Actions.Where(IsCandidate).ToList();
            if (candidates.Count == 0)
                return null;
            if (statement.Table is null || candidates[0].Column is null)
            {
                notHandled = "the statement's table or column could not be read";
                return null;
            }

            if (statement.Actions.Count > 1)
            {
                notHandled = candidates.Count > 1
                    ? $"one statement changes {candidates.Count} columns to a timestamp type; the concurrent index recipe takes one ALTER COLUMN ... TYPE per statement: write one ALTER TABLE statement per column, each in its own Sql(...) call"
                    : $"the statement has {statement.Actions.Count} actions; the concurrent index recipe takes an ALTER COLUMN ... TYPE alone: move the other actions into their own ALTER TABLE statement";
                return null;
            }

            return new TimestampTypeChange(statement.Table, candidates[0]);
        }

        /// <summary>
        /// ALTER COLUMN TYPE to a full-precision timestamp type, without USING or with the plain cast of the column: a
        /// rewrite-free change under UTC when the column has the other timestamp type.
        /// </summary>
        public static bool IsCandidate(AlterTableAction action)
            => action.Kind == AlterTableActionKind.AlterColumnType
                && action.DataType is { } type
                && ColumnTypes.IsFullPrecisionTimestamp(type)
                && (action.UsingExpression is null || action.UsingIsPlainCast);
    }
}
