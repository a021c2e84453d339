using System;
using System.Linq;
using SafeMigrations.Analyzers.Model;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>The indexes of the schema history that a column change rebuilds, named for the message.</summary>
    internal static class ColumnIndexes
    {
        /// <summary>The quoted names, comma-separated, of the indexes on <paramref name="column"/>; null when none is known.</summary>
        public static string? On(SchemaState? schema, TableName table, string column) =>
            Names(schema, table, index => !index.Columns.IsDefault && index.Columns.Contains(column, StringComparer.Ordinal));

        /// <summary>The quoted names, comma-separated, of the partial indexes whose <c>filter:</c> uses <paramref name="column"/>; null when none is known.</summary>
        public static string? FilteredOn(SchemaState? schema, TableName table, string column) =>
            Names(schema, table, index => index.FilterUses(column));

        private static string? Names(SchemaState? schema, TableName table, Func<IndexState, bool> rebuilt)
        {
            if (schema == null)
            {
                return null;
            }

            var names = schema.Indexes
                .Where(entry => entry.Value.Table == table && rebuilt(entry.Value))
                .Select(entry => "'" + entry.Key.Substring(entry.Key.IndexOf('.') + 1) + "'")
                .OrderBy(name => name, StringComparer.Ordinal)
                .ToList();
            return names.Count == 0 ? null : string.Join(", ", names);
        }
    }
}
