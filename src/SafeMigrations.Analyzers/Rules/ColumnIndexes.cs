using System;
using System.Linq;
using SafeMigrations.Analyzers.Model;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>The indexes the schema history knows keyed on a column (their column lists read; expression indexes are unknown and left out).</summary>
    internal static class ColumnIndexes
    {
        /// <summary>The quoted names, comma-separated, of the indexes on <paramref name="column"/>; null when none is known.</summary>
        public static string? On(SchemaState? schema, TableName table, string column)
        {
            if (schema == null)
            {
                return null;
            }

            var names = schema.Indexes
                .Where(entry => entry.Value.Table == table && !entry.Value.Columns.IsDefault && entry.Value.Columns.Contains(column, StringComparer.Ordinal))
                .Select(entry => "'" + entry.Key.Substring(entry.Key.IndexOf('.') + 1) + "'")
                .OrderBy(name => name, StringComparer.Ordinal)
                .ToList();
            return names.Count == 0 ? null : string.Join(", ", names);
        }

        /// <summary>The quoted names, comma-separated, of the partial indexes whose <c>filter:</c> uses <paramref name="column"/>; null when none is known.</summary>
        public static string? FilteredOn(SchemaState? schema, TableName table, string column)
        {
            if (schema == null)
            {
                return null;
            }

            var names = schema.Indexes
                .Where(entry => entry.Value.Table == table && entry.Value.FilterUses(column))
                .Select(entry => "'" + entry.Key.Substring(entry.Key.IndexOf('.') + 1) + "'")
                .OrderBy(name => name, StringComparer.Ordinal)
                .ToList();
            return names.Count == 0 ? null : string.Join(", ", names);
        }
    }
}
