using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SafeMigrations.Analyzers.Reading
{
    /// <summary>
    /// Each migration as <see cref="HistoryReader"/> found and read it (its <c>[Migration]</c> id, its DbContext and its
    /// <see cref="MigrationContribution"/>), kept across compilations so that the IDE, which makes a new compilation after
    /// every edit, binds and reads only the migrations whose files changed. An entry is found through the migration's
    /// first file (Roslyn reuses an unchanged file's <see cref="SyntaxTree"/> object between compilations) and is used
    /// only when every file of the class is the same object and the names it spells bind the same way: the same
    /// referenced assemblies and global usings, and no type or namespace added, removed or moved under a name that its
    /// usings, attributes, base list or Up spell (a new <c>Guid</c> type would change what an unchanged file's
    /// <c>AddColumn&lt;Guid&gt;</c> binds to). Only migrations read from their own files alone are stored: base class
    /// <c>Migration</c>, literal attribute arguments, Up read from syntax binding nothing declared in source
    /// (<see cref="MigrationContribution.DependsOnOwnFilesOnly"/>); the rest are bound and read each time.
    /// </summary>
    internal sealed class HistoryCache
    {
        private static readonly ConditionalWeakTable<SyntaxTree, Entries> ByFirstFile = new ConditionalWeakTable<SyntaxTree, Entries>();

        /// <summary>Every environment some entry still uses (entries hold theirs; the list only lets equal ones be shared).</summary>
        private static readonly List<WeakReference<Environment>> Environments = new List<WeakReference<Environment>>();

        private readonly Environment _environment;

        /// <summary>Per earlier environment met: the simple names of types and namespaces added or removed since, null when more changed.</summary>
        private readonly Dictionary<Environment, HashSet<string>?> _changedNames = new Dictionary<Environment, HashSet<string>?>();

        private HistoryCache(Environment environment)
        {
            _environment = environment;
        }

        /// <summary>
        /// The cache as seen from <paramref name="compilation"/>, whose namespaces and types (<see cref="NamespaceKey"/>,
        /// <see cref="TypeKey"/>) are <paramref name="declared"/>.
        /// </summary>
        public static HistoryCache For(Compilation compilation, HashSet<string> declared)
        {
            var current = Environment.Of(compilation, declared);
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

        /// <summary>A namespace by its full name (<c>Shop.Migrations</c>).</summary>
        public static string NamespaceKey(string fullName) => "N:" + fullName;

        /// <summary>The type's simple name, full metadata name and number of parts (adding a partial declaration changes it too).</summary>
        public static string TypeKey(INamedTypeSymbol type, string fullName) => "T:" + type.Name + "|" + fullName + "|" + type.DeclaringSyntaxReferences.Length;

        /// <summary>The attribute's arguments are written as literals or <c>typeof</c> (no constant declared elsewhere).</summary>
        public static bool IsLiteral(AttributeData attribute) =>
            attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax syntax
            && (syntax.ArgumentList is null || syntax.ArgumentList.Arguments.All(a => a.Expression is LiteralExpressionSyntax or TypeOfExpressionSyntax));

        /// <summary>The migration (<paramref name="name"/>: its full metadata name) as stored when its files and the names they spell are unchanged; else null.</summary>
        public Entry? TryGet(INamedTypeSymbol type, string name)
        {
            var files = type.DeclaringSyntaxReferences;
            if (files.IsEmpty || !ByFirstFile.TryGetValue(files[0].SyntaxTree, out var entries))
            {
                return null;
            }

            var entry = entries.Find(name);
            if (entry is null || !entry.HasFiles(files))
            {
                return null;
            }

            var environment = entry.Environment;
            if (!ReferenceEquals(environment, _environment))
            {
                if (!(ChangedNamesSince(environment) is { } changed) || (changed.Count > 0 && changed.Overlaps(entry.SpelledNames(type))))
                {
                    return null;
                }

                // Still valid here: later compilations compare with this environment.
                entry.Environment = _environment;
            }

            return entry;
        }

        /// <summary>Stores a migration just found and read, when its contribution depends on its own files only.</summary>
        public void Add(INamedTypeSymbol migration, string name, string id, string context, MigrationContribution contribution)
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

            var entry = new Entry(_environment, others, id, context, contribution);
            ByFirstFile.GetValue(files[0].SyntaxTree, _ => new Entries()).Set(name, entry);
        }

        /// <summary>Every identifier whose binding decides what was read: the files' usings, the class's attributes and base list, Up.</summary>
        private static HashSet<string> Spelled(INamedTypeSymbol migration)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            void Add(SyntaxNode node)
            {
                foreach (var token in node.DescendantTokens())
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken))
                    {
                        names.Add(token.ValueText);
                    }
                }
            }

            foreach (var reference in migration.DeclaringSyntaxReferences)
            {
                if (!(reference.GetSyntax() is TypeDeclarationSyntax declaration))
                {
                    continue;
                }

                foreach (var list in declaration.AttributeLists)
                {
                    Add(list);
                }

                if (declaration.BaseList != null)
                {
                    Add(declaration.BaseList);
                }

                for (SyntaxNode? scope = declaration.Parent; scope != null; scope = scope.Parent)
                {
                    var usings = scope is BaseNamespaceDeclarationSyntax ns ? ns.Usings : scope is CompilationUnitSyntax unit ? unit.Usings : default;
                    foreach (var directive in usings)
                    {
                        Add(directive);
                    }
                }

                foreach (var member in declaration.Members)
                {
                    if (member is MethodDeclarationSyntax { Identifier: { ValueText: "Up" } } up)
                    {
                        Add(up);
                    }
                }
            }

            return names;
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

        /// <summary>One stored migration: strings and the symbol-free contribution only.</summary>
        public sealed class Entry
        {
            private readonly WeakReference<SyntaxTree>[] _otherFiles;
            private Environment _environment;
            private HashSet<string>? _spelledNames;

            public Entry(Environment environment, WeakReference<SyntaxTree>[] otherFiles, string id, string context, MigrationContribution contribution)
            {
                _environment = environment;
                _otherFiles = otherFiles;
                Id = id;
                Context = context;
                Contribution = contribution;
            }

            /// <summary>The environment the entry was last found valid in.</summary>
            public Environment Environment
            {
                get => Volatile.Read(ref _environment);
                set => Volatile.Write(ref _environment, value);
            }

            /// <summary>
            /// The names the migration's files spell, collected on first need (only when declared names changed, so that
            /// a one-shot build pays nothing); <paramref name="migration"/> has the very files the entry was read from.
            /// </summary>
            public HashSet<string> SpelledNames(INamedTypeSymbol migration) => _spelledNames ??= Spelled(migration);

            /// <summary>The <c>[Migration]</c> id.</summary>
            public string Id { get; }

            /// <summary>The <c>[DbContext]</c> type's name, empty without one.</summary>
            public string Context { get; }

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
        public sealed class Environment
        {
            private readonly string _references;
            private readonly HashSet<string> _declared;
            private readonly string _globalUsings;

            private Environment(string references, HashSet<string> declared, string globalUsings)
            {
                _references = references;
                _declared = declared;
                _globalUsings = globalUsings;
            }

            public static Environment Of(Compilation compilation, HashSet<string> declared) =>
                new Environment(
                    string.Join("\n", compilation.ReferencedAssemblyNames.Select(identity => identity.GetDisplayName(fullKey: true))),
                    declared,
                    GlobalUsings(compilation));

            public bool SameAs(Environment other) =>
                _declared.Count == other._declared.Count && _references == other._references && _globalUsings == other._globalUsings
                && _declared.SetEquals(other._declared);

            /// <summary>
            /// The simple names of the types and namespaces declared in one of the two environments only; null when the
            /// references or global usings differ (then every name may bind differently).
            /// </summary>
            public HashSet<string>? ChangedNamesSince(Environment earlier)
            {
                if (_references != earlier._references || _globalUsings != earlier._globalUsings)
                {
                    return null;
                }

                var changed = new HashSet<string>(_declared, StringComparer.Ordinal);
                changed.SymmetricExceptWith(earlier._declared);
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var key in changed)
                {
                    if (key.StartsWith("T:", StringComparison.Ordinal))
                    {
                        names.Add(key.Substring(2, key.IndexOf('|') - 2));
                    }
                    else
                    {
                        names.UnionWith(key.Substring(2).Split('.'));
                    }
                }

                return names;
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
