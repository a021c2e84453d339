using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace SafeMigrations.Analyzers.Reading
{
    /// <summary>
    /// Each migration's <see cref="MigrationContribution"/> kept across compilations, so that the IDE, which makes a new
    /// compilation after every edit, reads only the migrations whose files changed. An entry is found through the
    /// migration's first file (Roslyn reuses an unchanged file's <see cref="SyntaxTree"/> object between compilations)
    /// and is used only when every file of the class is the same object and the <see cref="Environment"/> binds the
    /// migration's names the same way: the same referenced assemblies and global usings, and no type or namespace added
    /// or removed under a name that the migration's Up spells (a new <c>Guid</c> type would change what an unchanged
    /// file's <c>AddColumn&lt;Guid&gt;</c> binds to). Only contributions read from the migration's own files are stored
    /// (<see cref="MigrationContribution.DependsOnOwnFilesOnly"/>); the rest are read each time.
    /// </summary>
    internal sealed class HistoryCache
    {
        private static readonly ConditionalWeakTable<SyntaxTree, Entries> ByFirstFile = new ConditionalWeakTable<SyntaxTree, Entries>();

        /// <summary>Every environment some entry still uses (entries hold theirs; the list only lets equal ones be shared).</summary>
        private static readonly List<WeakReference<Environment>> Environments = new List<WeakReference<Environment>>();

        private readonly Environment _environment;

        /// <summary>Per earlier environment met: the type and namespace names added or removed since, null when more changed.</summary>
        private readonly Dictionary<Environment, HashSet<string>?> _changedNames = new Dictionary<Environment, HashSet<string>?>();

        private HistoryCache(Environment environment)
        {
            _environment = environment;
        }

        /// <summary>The cache as seen from <paramref name="compilation"/>: entries made under an equal environment.</summary>
        public static HistoryCache For(Compilation compilation)
        {
            var current = Environment.Of(compilation);
            lock (Environments)
            {
                // One shared object per distinct environment: entries then compare it by reference.
                Environments.RemoveAll(reference => !reference.TryGetTarget(out _));
                foreach (var reference in Environments)
                {
                    if (reference.TryGetTarget(out var known) && known.SameAs(current))
                    {
                        return new HistoryCache(known);
                    }
                }

                Environments.Add(new WeakReference<Environment>(current));
                return new HistoryCache(current);
            }
        }

        /// <summary>The contribution stored for <paramref name="migration"/> when its files and the environment are unchanged; else null.</summary>
        public MigrationContribution? TryGet(INamedTypeSymbol migration)
        {
            var files = migration.DeclaringSyntaxReferences;
            if (files.IsEmpty || !ByFirstFile.TryGetValue(files[0].SyntaxTree, out var entries))
            {
                return null;
            }

            var entry = entries.Find(migration.ToDisplayString());
            if (entry is null || !entry.HasFiles(files))
            {
                return null;
            }

            var environment = entry.Environment;
            if (!ReferenceEquals(environment, _environment))
            {
                if (!(ChangedNamesSince(environment) is { } changed) || SpellsAny(migration, changed))
                {
                    return null;
                }

                // Still valid here: later compilations compare with this environment.
                entry.Environment = _environment;
            }

            return entry.Contribution;
        }

        /// <summary>Stores <paramref name="contribution"/> for the next compilations, when it depends on the migration's own files only.</summary>
        public void Add(INamedTypeSymbol migration, MigrationContribution contribution)
        {
            var files = migration.DeclaringSyntaxReferences;
            if (files.IsEmpty || !contribution.DependsOnOwnFilesOnly)
            {
                return;
            }

            var others = new WeakReference<SyntaxTree>[files.Length - 1];
            for (var i = 1; i < files.Length; i++)
            {
                others[i - 1] = new WeakReference<SyntaxTree>(files[i].SyntaxTree);
            }

            ByFirstFile.GetValue(files[0].SyntaxTree, _ => new Entries()).Set(migration.ToDisplayString(), new Entry(_environment, others, contribution));
        }

        private HashSet<string>? ChangedNamesSince(Environment earlier)
        {
            lock (_changedNames)
            {
                if (!_changedNames.TryGetValue(earlier, out var changed))
                {
                    changed = _environment.ChangedNamesSince(earlier);
                    _changedNames[earlier] = changed;
                }

                return changed;
            }
        }

        /// <summary>Some identifier in <paramref name="migration"/>'s Up (its signature and body) is one of <paramref name="names"/>.</summary>
        private static bool SpellsAny(INamedTypeSymbol migration, HashSet<string> names)
        {
            if (names.Count == 0)
            {
                return false;
            }

            foreach (var member in migration.GetMembers("Up"))
            {
                foreach (var reference in member.DeclaringSyntaxReferences)
                {
                    foreach (var token in reference.GetSyntax().DescendantTokens())
                    {
                        if (token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken) && names.Contains(token.ValueText))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        private sealed class Entries
        {
            private readonly Dictionary<string, Entry> _byType = new Dictionary<string, Entry>(StringComparer.Ordinal);

            public Entry? Find(string type)
            {
                lock (_byType)
                {
                    return _byType.TryGetValue(type, out var entry) ? entry : null;
                }
            }

            public void Set(string type, Entry entry)
            {
                lock (_byType)
                {
                    _byType[type] = entry;
                }
            }
        }

        private sealed class Entry
        {
            private readonly WeakReference<SyntaxTree>[] _otherFiles;
            private Environment _environment;

            public Entry(Environment environment, WeakReference<SyntaxTree>[] otherFiles, MigrationContribution contribution)
            {
                _environment = environment;
                _otherFiles = otherFiles;
                Contribution = contribution;
            }

            /// <summary>The environment the entry was last found valid in.</summary>
            public Environment Environment
            {
                get => Volatile.Read(ref _environment);
                set => Volatile.Write(ref _environment, value);
            }

            public MigrationContribution Contribution { get; }

            /// <summary>The class's files after the first (its Designer file...) are the very trees the entry was read from.</summary>
            public bool HasFiles(ImmutableArray<SyntaxReference> files)
            {
                if (files.Length - 1 != _otherFiles.Length)
                {
                    return false;
                }

                for (var i = 1; i < files.Length; i++)
                {
                    if (!_otherFiles[i - 1].TryGetTarget(out var tree) || !ReferenceEquals(tree, files[i].SyntaxTree))
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        /// <summary>What, besides a migration's own files, decides what the names in them bind to.</summary>
        private sealed class Environment
        {
            private readonly string _references;
            private readonly HashSet<string> _typeNames;
            private readonly HashSet<string> _namespaceNames;
            private readonly string _globalUsings;

            private Environment(string references, HashSet<string> typeNames, HashSet<string> namespaceNames, string globalUsings)
            {
                _references = references;
                _typeNames = typeNames;
                _namespaceNames = namespaceNames;
                _globalUsings = globalUsings;
            }

            public static Environment Of(Compilation compilation) =>
                new Environment(
                    string.Join("\n", compilation.ReferencedAssemblyNames.Select(identity => identity.GetDisplayName(fullKey: true))),
                    new HashSet<string>(compilation.Assembly.TypeNames, StringComparer.Ordinal),
                    new HashSet<string>(compilation.Assembly.NamespaceNames, StringComparer.Ordinal),
                    GlobalUsings(compilation));

            public bool SameAs(Environment other) =>
                _typeNames.Count == other._typeNames.Count && _namespaceNames.Count == other._namespaceNames.Count
                && _references == other._references && _globalUsings == other._globalUsings
                && _typeNames.SetEquals(other._typeNames) && _namespaceNames.SetEquals(other._namespaceNames);

            /// <summary>
            /// The type and namespace names in one of the two environments only; null when the references or global
            /// usings differ (then every name may bind differently).
            /// </summary>
            public HashSet<string>? ChangedNamesSince(Environment earlier)
            {
                if (_references != earlier._references || _globalUsings != earlier._globalUsings)
                {
                    return null;
                }

                var changed = new HashSet<string>(_typeNames, StringComparer.Ordinal);
                changed.SymmetricExceptWith(earlier._typeNames);
                var namespaces = new HashSet<string>(_namespaceNames, StringComparer.Ordinal);
                namespaces.SymmetricExceptWith(earlier._namespaceNames);
                changed.UnionWith(namespaces);
                return changed;
            }

            /// <summary>The usings every file sees (<c>global using</c>, implicit usings), from the import scopes of an empty position.</summary>
            private static string GlobalUsings(Compilation compilation)
            {
                var first = compilation.SyntaxTrees.FirstOrDefault();
                if (first is null)
                {
                    return string.Empty;
                }

#pragma warning disable RS1030 // One semantic model per compilation, for its import scopes only: no body is bound.
                var scopes = compilation.GetSemanticModel(first).GetImportScopes(0);
#pragma warning restore RS1030
                var text = new List<string>();
                foreach (var scope in scopes)
                {
                    text.AddRange(scope.Aliases.Select(alias => "alias " + alias.Name + "=" + alias.Target.ToDisplayString()));
                    text.AddRange(scope.ExternAliases.Select(alias => "extern " + alias.Name));
                    text.AddRange(scope.Imports.Select(import => "using " + import.NamespaceOrType.ToDisplayString()));
                }

                return string.Join("\n", text);
            }
        }
    }
}
