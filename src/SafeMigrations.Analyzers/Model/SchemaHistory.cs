using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace SafeMigrations.Analyzers.Model
{
    /// <summary>A column as the earlier migrations left it. A null fact is unknown.</summary>
    public sealed class ColumnState
    {
        public ColumnState(string? storeType, bool? isNullable, string? defaultText)
        {
            StoreType = storeType;
            IsNullable = isNullable;
            DefaultText = defaultText;
        }

        /// <summary>The store type as written (<c>character varying(100)</c>), or null when unknown.</summary>
        public string? StoreType { get; }

        public bool? IsNullable { get; }

        /// <summary>The default as written (<c>defaultValue</c> constant or <c>defaultValueSql</c>), empty string for none, null when unknown.</summary>
        public string? DefaultText { get; }

        public ColumnState With(string? storeType, bool? isNullable, string? defaultText) => new ColumnState(storeType, isNullable, defaultText);
    }

    /// <summary>An index (or the index of a unique or primary key constraint) an earlier migration created.</summary>
    public sealed class IndexState
    {
        public IndexState(TableName table, ImmutableArray<string> columns, string? filter = null)
        {
            Table = table;
            Columns = columns;
            Filter = filter;
        }

        public TableName Table { get; }

        /// <summary>The indexed columns; default when unknown (expression index, unreadable SQL).</summary>
        public ImmutableArray<string> Columns { get; }

        /// <summary>The partial index's WHERE clause as EF's <c>filter:</c> wrote it; null for none or unknown.</summary>
        public string? Filter { get; }

        /// <summary>
        /// True when <see cref="Filter"/> names <paramref name="column"/>: quoted as written (<c>"IsDeleted"</c>), or
        /// unquoted when the name is all lower case (PostgreSQL folds unquoted names to it).
        /// </summary>
        public bool FilterUses(string column)
        {
            if (Filter is null)
            {
                return false;
            }

            if (Filter.IndexOf("\"" + column + "\"", StringComparison.Ordinal) >= 0)
            {
                return true;
            }

            if (column != column.ToLowerInvariant())
            {
                return false;
            }

            for (var at = Filter.IndexOf(column, StringComparison.OrdinalIgnoreCase); at >= 0; at = Filter.IndexOf(column, at + 1, StringComparison.OrdinalIgnoreCase))
            {
                var end = at + column.Length;
                if ((at == 0 || !IsNamePart(Filter[at - 1])) && (end == Filter.Length || !IsNamePart(Filter[end])))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsNamePart(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$' || c == '"';
    }

    /// <summary>
    /// The schema the earlier migrations of the same DbContext built, before one migration runs: tables with their
    /// columns, and indexes by name. Immutable; each step of <see cref="Reading.HistoryReader"/> makes a new one.
    /// A table whose columns something unreadable may have changed is kept but answers nothing.
    /// </summary>
    public sealed class SchemaState
    {
        public static readonly SchemaState Empty = new SchemaState(
            ImmutableDictionary<TableName, ImmutableDictionary<string, ColumnState>?>.Empty,
            ImmutableDictionary.Create<string, IndexState>(StringComparer.Ordinal),
            indexesComplete: true);

        private SchemaState(ImmutableDictionary<TableName, ImmutableDictionary<string, ColumnState>?> tables, ImmutableDictionary<string, IndexState> indexes, bool indexesComplete)
        {
            Tables = tables;
            Indexes = indexes;
            IndexesComplete = indexesComplete;
        }

        /// <summary>Known tables; a null column map means the table exists but its columns are not known for sure.</summary>
        internal ImmutableDictionary<TableName, ImmutableDictionary<string, ColumnState>?> Tables { get; }

        /// <summary>Indexes by <see cref="IndexKey"/>.</summary>
        internal ImmutableDictionary<string, IndexState> Indexes { get; }

        /// <summary>Every index any earlier migration created is in <see cref="Indexes"/> (nothing unreadable ran).</summary>
        public bool IndexesComplete { get; }

        /// <summary>The column's state, or null when the table or column is unknown or not known for sure.</summary>
        public ColumnState? Column(TableName table, string column) =>
            Tables.TryGetValue(table, out var columns) && columns != null && columns.TryGetValue(column, out var state) ? state : null;

        /// <summary>The table exists and its columns are known for sure.</summary>
        public bool IsKnownTable(TableName table) => Tables.TryGetValue(table, out var columns) && columns != null;

        /// <summary>The index, or null when no earlier migration created it (or it is not known).</summary>
        public IndexState? Index(string? schema, string name) => Indexes.TryGetValue(IndexKey(schema, name), out var index) ? index : null;

        /// <summary>True only when sure no earlier migration created an index of that name.</summary>
        public bool IsKnownAbsentIndex(string? schema, string name) => IndexesComplete && !Indexes.ContainsKey(IndexKey(schema, name));

        internal static string IndexKey(string? schema, string name) => (string.IsNullOrEmpty(schema) ? "public" : schema) + "." + name;

        internal SchemaState WithTable(TableName table, ImmutableDictionary<string, ColumnState>? columns) => new SchemaState(Tables.SetItem(table, columns), Indexes, IndexesComplete);

        internal SchemaState WithoutTable(TableName table)
        {
            var indexes = Indexes;
            foreach (var entry in Indexes)
            {
                if (entry.Value.Table == table)
                {
                    indexes = indexes.Remove(entry.Key);
                }
            }

            return new SchemaState(Tables.Remove(table), indexes, IndexesComplete);
        }

        /// <summary>The table under its new name (columns as known, unsure when it was not known); its indexes follow it.</summary>
        internal SchemaState WithRenamedTable(TableName from, TableName to)
        {
            Tables.TryGetValue(from, out var columns);
            var indexes = Indexes;
            foreach (var entry in Indexes)
            {
                if (entry.Value.Table == from)
                {
                    indexes = indexes.SetItem(entry.Key, new IndexState(to, entry.Value.Columns, entry.Value.Filter));
                }
            }

            return new SchemaState(Tables.Remove(from).SetItem(to, columns), indexes, IndexesComplete);
        }

        internal SchemaState WithIndex(string key, IndexState? index) =>
            new SchemaState(Tables, index is null ? Indexes.Remove(key) : Indexes.SetItem(key, index), IndexesComplete);

        /// <summary>The key columns made NOT NULL (a primary key, SetNotNullThroughCheck); unknown columns make the table unsure.</summary>
        internal SchemaState WithNotNull(TableName table, ImmutableArray<string> columns)
        {
            if (columns.IsDefault)
            {
                return Unsure(table, indexes: false);
            }

            var state = this;
            foreach (var column in columns)
            {
                state = state.ChangeColumn(table, column, c => c.With(c.StoreType, false, c.DefaultText));
            }

            return state;
        }

        /// <summary>Sets (or, when <paramref name="column"/> builds null, removes) a column of a table the history knows.</summary>
        internal SchemaState WithColumn(TableName? table, string? name, Func<ColumnState?> column)
        {
            if (table is null || name is null)
            {
                return Unsure(table, indexes: false);
            }

            if (!Tables.TryGetValue(table.Value, out var columns) || columns is null)
            {
                // A table made outside the history, or already unsure: nothing to track.
                return this;
            }

            var value = column();
            return WithTable(table.Value, value is null ? columns.Remove(name) : columns.SetItem(name, value));
        }

        /// <summary>A known column changed; an unknown one makes the table unsure.</summary>
        internal SchemaState ChangeColumn(TableName table, string? name, Func<ColumnState, ColumnState> change)
        {
            if (name is null)
            {
                return Unsure(table, indexes: false);
            }

            var current = Column(table, name);
            return current is null ? Unsure(table, indexes: false) : WithColumn(table, name, () => change(current));
        }

        /// <summary>A known column under its new name; an unknown one makes the table unsure.</summary>
        internal SchemaState WithRenamedColumn(TableName? table, string? name, string? newName)
        {
            if (table is null || name is null || newName is null || Column(table.Value, name) is not { } column)
            {
                return Unsure(table, indexes: false);
            }

            return WithColumn(table, name, () => null).WithColumn(table, newName, () => column);
        }

        internal SchemaState IndexesUnsure() => new SchemaState(Tables, Indexes, indexesComplete: false);

        /// <summary>Something unreadable ran: indexes may exist that are not listed; with <paramref name="table"/> null every table's columns become unsure.</summary>
        internal SchemaState Unsure(TableName? table, bool indexes)
        {
            var tables = Tables;
            foreach (var known in Tables.Keys)
            {
                if (table is null || known == table.Value)
                {
                    tables = tables.SetItem(known, null);
                }
            }

            return new SchemaState(tables, Indexes, IndexesComplete && !indexes);
        }
    }

    /// <summary>
    /// The schema before each migration of the compilation, per DbContext, in <c>[Migration("id")]</c> order.
    /// Built once per compilation, on first use (see <see cref="Reading.HistoryReader"/>).
    /// </summary>
    public sealed class SchemaHistory
    {
        internal static readonly SchemaHistory None = new SchemaHistory(
            ImmutableDictionary.Create<INamedTypeSymbol, SchemaState>(SymbolEqualityComparer.Default),
            ImmutableDictionary.Create<INamedTypeSymbol, INamedTypeSymbol>(SymbolEqualityComparer.Default),
            ImmutableDictionary.Create<INamedTypeSymbol, Reading.MigrationContribution>(SymbolEqualityComparer.Default),
            reused: 0);

        private readonly ImmutableDictionary<INamedTypeSymbol, SchemaState> _before;
        private readonly ImmutableDictionary<INamedTypeSymbol, INamedTypeSymbol> _previous;
        private readonly ImmutableDictionary<INamedTypeSymbol, Reading.MigrationContribution> _contributions;

        internal SchemaHistory(ImmutableDictionary<INamedTypeSymbol, SchemaState> before, ImmutableDictionary<INamedTypeSymbol, INamedTypeSymbol> previous, ImmutableDictionary<INamedTypeSymbol, Reading.MigrationContribution> contributions, int reused)
        {
            _before = before;
            _previous = previous;
            _contributions = contributions;
            Reused = reused;
        }

        /// <summary>The schema before <paramref name="migration"/> runs; null when it is not in the history.</summary>
        public SchemaState? Before(INamedTypeSymbol migration) => _before.TryGetValue(migration, out var state) ? state : null;

        /// <summary>The migration that runs just before <paramref name="migration"/> (same DbContext), or null for the first.</summary>
        public INamedTypeSymbol? Previous(INamedTypeSymbol migration) => _previous.TryGetValue(migration, out var previous) ? previous : null;

        internal IEnumerable<INamedTypeSymbol> Migrations => _before.Keys;

        /// <summary>What <paramref name="migration"/>'s Up does to the history, or null when it is not in the history.</summary>
        internal Reading.MigrationContribution? Contribution(INamedTypeSymbol migration) => _contributions.TryGetValue(migration, out var contribution) ? contribution : null;

        /// <summary>How many migrations' contributions came from an earlier compilation (<see cref="Reading.HistoryCache"/>) instead of being read.</summary>
        internal int Reused { get; }
    }
}
