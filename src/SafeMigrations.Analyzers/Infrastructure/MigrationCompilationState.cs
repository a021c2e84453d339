using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Analyzers.Reading;
using SafeMigrations.Sql;

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

        private readonly Lazy<HashSet<string>> _migrationIds;

        private readonly ConcurrentDictionary<INamedTypeSymbol, Lazy<ImmutableDictionary<TableName, ImmutableDictionary<string, TargetColumn>>?>> _targets =
            new ConcurrentDictionary<INamedTypeSymbol, Lazy<ImmutableDictionary<TableName, ImmutableDictionary<string, TargetColumn>>?>>(SymbolEqualityComparer.Default);

        private MigrationCompilationState(Compilation compilation, EfSymbols? symbols)
        {
            _compilation = compilation;
            Symbols = symbols;
            _history = new Lazy<SchemaHistory>(BuildHistory, LazyThreadSafetyMode.ExecutionAndPublication);
            _migrationIds = new Lazy<HashSet<string>>(ReadMigrationIds, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        /// <summary>Null when EF Core Relational is not referenced.</summary>
        public EfSymbols? Symbols { get; }

        /// <summary>The shared state, or null when the compilation has no EF Core migrations API.</summary>
        public static MigrationCompilationState? Get(Compilation compilation)
        {
            var state = States.GetValue(compilation, c => new MigrationCompilationState(c, EfSymbols.Resolve(c)));
            return state.Symbols is null ? null : state;
        }

        /// <summary>
        /// The <c>Up</c> or <c>Down</c> declared in <paramref name="migrationType"/>'s source, read on first use (then
        /// shared by every rule and the history); null when the type declares none with a body.
        /// </summary>
        public MigrationModel? ReadOwn(INamedTypeSymbol migrationType, MigrationDirection direction, CancellationToken cancellationToken)
        {
            foreach (var member in migrationType.GetMembers(direction == MigrationDirection.Up ? "Up" : "Down"))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member is IMethodSymbol method && Symbols!.IsUpOrDown(method, out var found) && found == direction)
                {
                    return Read(migrationType, method, direction);
                }
            }

            return null;
        }

        /// <summary>
        /// The schema every migration of the compilation starts from, built on first use: once per compilation, from the
        /// same read Up models the rules use, each migration's part taken from an earlier compilation when its files did
        /// not change (see <see cref="HistoryReader"/> and <see cref="HistoryCache"/>).
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
            History.Before(up.MigrationType) is { } before && History.Contribution(up.MigrationType) is { } contribution
                ? HistoryReader.Apply(before, contribution.Steps, stepIndex)
                : null;

        private ImmutableDictionary<TableName, ImmutableDictionary<string, TargetColumn>>? TargetModel(INamedTypeSymbol migration) =>
            _targets.GetOrAdd(
                migration,
                m => new Lazy<ImmutableDictionary<TableName, ImmutableDictionary<string, TargetColumn>>?>(
                    () => TargetModelReader.Read(m, CancellationToken.None),
                    LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        private SchemaHistory BuildHistory() =>
            HistoryReader.Build(_compilation, Symbols!, (type, method) => Read(type, method, MigrationDirection.Up), StoreTypeOf, CancellationToken.None, reuseAcrossCompilations: true);

        /// <summary>
        /// Reads the method once per compilation: from syntax when <see cref="SyntaxMigrationReader"/> recognises every
        /// statement, else by binding it into operations through the compilation's semantic model (under the analyzer
        /// driver the cached one); null when it is not declared in source.
        /// </summary>
        private MigrationModel? Read(INamedTypeSymbol migrationType, IMethodSymbol method, MigrationDirection direction)
        {
            if (method.DeclaringSyntaxReferences.Length == 0)
            {
                return null;
            }

            var symbols = Symbols!;
            var lazy = _models.GetOrAdd(
                method,
                _ => new Lazy<MigrationModel>(
                    () =>
                    {
                        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
                        if (syntax is MethodDeclarationSyntax declaration
                            && SyntaxMigrationReader.TryRead(symbols, _compilation, migrationType, method, direction, declaration) is { } read)
                        {
                            return read;
                        }

#pragma warning disable RS1030 // Rules register no operation actions: each Up/Down is bound here once per compilation and cached.
                        var operation = _compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax);
#pragma warning restore RS1030
                        return MigrationReader.Read(symbols, migrationType, method, direction, operation is null ? ImmutableArray<IOperation>.Empty : ImmutableArray.Create(operation));
                    },
                    LazyThreadSafetyMode.ExecutionAndPublication));
            return lazy.Value;
        }

        /// <summary>
        /// True when the migration is covered by <c>safe_migrations.start_after</c> in the options of the file that
        /// declares its <c>Up</c> (else its first file): it was deployed before SafeMigrations was adopted, so no rule
        /// reports it. It still builds the schema history later migrations are judged on.
        /// </summary>
        public bool IsDeployedBeforeAdoption(INamedTypeSymbol migrationType, AnalyzerOptions options)
        {
            SyntaxTree? tree = null;
            foreach (var member in migrationType.GetMembers("Up"))
            {
                if (member.DeclaringSyntaxReferences.Length > 0)
                {
                    tree = member.DeclaringSyntaxReferences[0].SyntaxTree;
                    break;
                }
            }

            tree ??= migrationType.DeclaringSyntaxReferences.Length > 0 ? migrationType.DeclaringSyntaxReferences[0].SyntaxTree : null;
            return GetOptions(options, tree).StartAfter is { } cutoff
                   && (cutoff.IsTimestamp || MigrationIds.Contains(cutoff.Value))
                   && Symbols!.MigrationId(migrationType) is { } id
                   && cutoff.Covers(id);
        }

        /// <summary>The <c>[Migration("id")]</c> ids of every migration declared in the compilation, read once.</summary>
        public ISet<string> MigrationIds => _migrationIds.Value;

        private HashSet<string> ReadMigrationIds()
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var namespaces = new Stack<INamespaceSymbol>();
            namespaces.Push(_compilation.Assembly.GlobalNamespace);
            while (namespaces.Count > 0)
            {
                foreach (var member in namespaces.Pop().GetMembers())
                {
                    if (member is INamespaceSymbol child)
                    {
                        namespaces.Push(child);
                    }
                    else if (member is INamedTypeSymbol type && Symbols!.IsMigration(type) && Symbols.MigrationId(type) is { } id)
                    {
                        ids.Add(id);
                    }
                }
            }

            return ids;
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
