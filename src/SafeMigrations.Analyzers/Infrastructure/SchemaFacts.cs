using Microsoft.CodeAnalysis;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Analyzers.Reading;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// What the earlier migrations and the Designer files say about the schema an <c>Up</c> method starts from. Every
    /// answer may be null (unknown): rules then judge the step alone, as without a history. Down gets no facts.
    /// </summary>
    public sealed class SchemaFacts
    {
        internal static readonly SchemaFacts None = new SchemaFacts(null, null);

        private readonly MigrationCompilationState? _state;
        private readonly INamedTypeSymbol? _migration;
        private readonly MigrationModel? _up;

        internal SchemaFacts(MigrationCompilationState? state, MigrationModel? up)
        {
            _state = up is { Direction: MigrationDirection.Up } ? state : null;
            _up = _state is null ? null : up;
            _migration = _up?.MigrationType;
        }

        /// <summary>The schema before this migration (built on first use, once per compilation); null when unknown.</summary>
        public SchemaState? Before => _state is null ? null : _state.History.Before(_migration!);

        /// <summary>The column as the earlier migrations left it, or null.</summary>
        public ColumnState? Column(TableName table, string column) => Before?.Column(table, column);

        /// <summary>The schema just before step <paramref name="stepIndex"/> of this migration (its earlier steps applied); null when unknown.</summary>
        public SchemaState? BeforeStep(int stepIndex) => _state?.BeforeStep(_up!, stepIndex);

        /// <summary>
        /// False when this migration has no target model (no <c>BuildTargetModel</c>, which EF's Designer file holds): EF
        /// then cannot compare an <c>AlterColumn</c>'s old and new type and always writes a <c>TYPE</c> clause. True when
        /// it has one, or when unknown.
        /// </summary>
        public bool HasTargetModel => _state is null || _state.Symbols!.HasTargetModel(_migration!);

        /// <summary>The column in this migration's target model (Designer file), or null.</summary>
        public TargetColumn? Target(TableName table, string column) => _state?.TargetColumn(_migration!, table, column);

        /// <summary>
        /// The store type an AlterColumn without <c>type:</c> gets: the target model's (EF passes it to Npgsql), or without
        /// a Designer file the CLR type's mapping; null when unknown.
        /// </summary>
        public string? NewStoreType(MigrationStep step)
        {
            if (_state is null || !(step.Table is { } table) || !(step.Name is { } column))
            {
                return null;
            }

            return _state.StoreTypeOf(_migration!, table, column, step);
        }

        /// <summary>
        /// The column before step <paramref name="stepIndex"/> when no earlier step of this migration changed it, the history is sure of it and the previous migration's target model,
        /// where it maps the column, agrees on type and nullability; otherwise null.
        /// </summary>
        public ColumnState? AgreedColumn(TableName table, string column, int stepIndex)
        {
            var state = Column(table, column);
            if (state is null || _state is null || !ReferenceEquals(state, BeforeStep(stepIndex)?.Column(table, column)))
            {
                // Unknown, or an earlier step of this migration changed the column: the Designer check below no longer applies.
                return null;
            }

            var previous = _state.History.Previous(_migration!);
            if (previous != null && _state.TargetColumn(previous, table, column) is { } modelled)
            {
                if (modelled.IsRequired is bool required && state.IsNullable is bool nullable && required == nullable)
                {
                    return null;
                }

                if (modelled.StoreType is { } modelledType && state.StoreType is { } storeType && !SameType(modelledType, storeType))
                {
                    return null;
                }
            }

            return state;
        }

        public static bool SameType(string a, string b) => ColumnTypes.Normalize(a) == ColumnTypes.Normalize(b);
    }
}
