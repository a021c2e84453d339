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

        private MigrationCompilationState(EfSymbols? symbols)
        {
            Symbols = symbols;
        }

        /// <summary>Null when EF Core Relational is not referenced.</summary>
        public EfSymbols? Symbols { get; }

        /// <summary>The shared state, or null when the compilation has no EF Core migrations API.</summary>
        public static MigrationCompilationState? Get(Compilation compilation)
        {
            var state = States.GetValue(compilation, c => new MigrationCompilationState(EfSymbols.Resolve(c)));
            return state.Symbols is null ? null : state;
        }

        public MigrationModel GetModel(INamedTypeSymbol migrationType, IMethodSymbol method, MigrationDirection direction, ImmutableArray<IOperation> operationBlocks)
        {
            var symbols = Symbols!;
            var lazy = _models.GetOrAdd(
                method,
                _ => new Lazy<MigrationModel>(
                    () => MigrationReader.Read(symbols, migrationType, method, direction, operationBlocks),
                    LazyThreadSafetyMode.ExecutionAndPublication));
            return lazy.Value;
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
