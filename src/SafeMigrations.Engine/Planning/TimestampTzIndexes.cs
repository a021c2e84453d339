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
        internal TimestampTzIndexes(string? schema, string table, string column, bool toTimestampTz)
        {
            Schema = schema;
            Table = table;
            Column = column;
            ToTimestampTz = toTimestampTz;
        }

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
