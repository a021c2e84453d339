using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Analyzers.Reading;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// What every SafeMigrations analyzer shares for one compilation: the EF symbols (resolved once), the read
    /// migration models (each Up/Down read once, whichever analyzer asks first) and the parsed options per file.
    /// </summary>
    internal sealed class MigrationCompilationState
    {
        private static readonly ConditionalWeakTable<Compilation, MigrationCompilationState> States = new ConditionalWeakTable<Compilation, MigrationCompilationState>();

        private readonly ConcurrentDictionary<IMethodSymbol, Lazy<MigrationModel>> _models =
            new ConcurrentDictionary<IMethodSymbol, Lazy<MigrationModel>>(SymbolEqualityComparer.Default);

        private readonly ConcurrentDictionary<SyntaxTree, MigrationOptions> _options = new ConcurrentDictionary<SyntaxTree, MigrationOptions>();

        private readonly Compilation _compilation;

        private readonly Lazy<SchemaHistory> _history;

        private readonly ConcurrentDictionary<INamedTypeSymbol, Lazy<ImmutableDictionary<TableName, ImmutableDictionary<string, TargetColumn>>?>> _targets =
            new ConcurrentDictionary<INamedTypeSymbol, Lazy<ImmutableDictionary<TableName, ImmutableDictionary<string, TargetColumn>>?>>(SymbolEqualityComparer.Default);

        private MigrationCompilationState(Compilation compilation, EfSymbols? symbols)
        {
            _compilation = compilation;
            Symbols = symbols;
            _history = new Lazy<SchemaHistory>(BuildHistory, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        /// <summary>Null when EF Core Relational is not referenced.</summary>
        public EfSymbols? Symbols { get; }

        /// <summary>The shared state, or null when the compilation has no EF Core migrations API.</summary>
        public static MigrationCompilationState? Get(Compilation compilation)
        {
            var state = States.GetValue(compilation, c => new MigrationCompilationState(c, EfSymbols.Resolve(c)));
            return state.Symbols is null ? null : state;
        }

        public MigrationModel GetModel(INamedTypeSymbol migrationType, IMethodSymbol method, MigrationDirection direction, ImmutableArray<IOperation> operationBlocks) =>
            GetModel(migrationType, method, direction, () => operationBlocks);

        /// <summary>
        /// The schema every migration of the compilation starts from, built on first use: once per compilation, from the
        /// same read Up models the rules use (see <see cref="HistoryReader"/>).
        /// </summary>
        public SchemaHistory History => _history.Value;

        /// <summary>A column of <paramref name="migration"/>'s target model (its Designer file, read once), or null.</summary>
        public TargetColumn? TargetColumn(INamedTypeSymbol migration, TableName table, string column) =>
            TargetModel(migration) is { } tables && tables.TryGetValue(table, out var columns) && columns.TryGetValue(column, out var found) ? found : null;

        /// <summary>
        /// The store type a column step without <c>type:</c> gets: the target model's (EF passes it to Npgsql), or without
        /// a Designer file the CLR type's mapping; null when unknown.
        /// </summary>
        public string? StoreTypeOf(INamedTypeSymbol migration, TableName table, string column, BuilderCall call) =>
            TargetModel(migration) != null ? TargetColumn(migration, table, column)?.StoreType : HistoryReader.ClrStoreType(call);

        /// <summary>The schema just before step <paramref name="stepIndex"/> of <paramref name="up"/>; null when the migration is not in the history.</summary>
        public SchemaState? BeforeStep(MigrationModel up, int stepIndex) =>
            History.Before(up.MigrationType) is { } before ? HistoryReader.BeforeStep(before, up, stepIndex, Symbols!, StoreTypeOf) : null;

        private ImmutableDictionary<TableName, ImmutableDictionary<string, TargetColumn>>? TargetModel(INamedTypeSymbol migration) =>
            _targets.GetOrAdd(
                migration,
                m => new Lazy<ImmutableDictionary<TableName, ImmutableDictionary<string, TargetColumn>>?>(
                    () => TargetModelReader.Read(m, CancellationToken.None),
                    LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        private MigrationModel GetModel(INamedTypeSymbol migrationType, IMethodSymbol method, MigrationDirection direction, Func<ImmutableArray<IOperation>> operationBlocks)
        {
            var symbols = Symbols!;
            var lazy = _models.GetOrAdd(
                method,
                _ => new Lazy<MigrationModel>(
                    () => MigrationReader.Read(symbols, migrationType, method, direction, operationBlocks()),
                    LazyThreadSafetyMode.ExecutionAndPublication));
            return lazy.Value;
        }

        private SchemaHistory BuildHistory() =>
            HistoryReader.Build(_compilation, Symbols!, ReadUp, StoreTypeOf, CancellationToken.None);

        /// <summary>Up of another migration than the one being analysed: bound here, then shared with the rules through the model cache.</summary>
        private MigrationModel? ReadUp(INamedTypeSymbol migrationType, IMethodSymbol method)
        {
            if (method.DeclaringSyntaxReferences.Length == 0)
            {
                return null;
            }

            return GetModel(migrationType, method, MigrationDirection.Up, () =>
            {
                var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
#pragma warning disable RS1030 // The history needs other methods' operations; each is bound once per compilation and cached.
                var operation = _compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax);
#pragma warning restore RS1030
                return operation is null ? ImmutableArray<IOperation>.Empty : ImmutableArray.Create(operation);
            });
        }

        public MigrationOptions GetOptions(AnalyzerOptions options, SyntaxTree? tree)
        {
            if (tree is null)
            {
                return MigrationOptions.Default;
            }

            return _options.GetOrAdd(tree, t => MigrationOptions.Read(options.AnalyzerConfigOptionsProvider.GetOptions(t)));
        }
    }
}
