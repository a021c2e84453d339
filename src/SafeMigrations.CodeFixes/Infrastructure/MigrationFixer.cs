using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using SafeMigrations.Analyzers.Infrastructure;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// Base of every SafeMigrations code fix. A fixer rewrites all of its diagnostics in one document at once
    /// (<see cref="Fix"/>), which makes the single fix and Fix All (document, project, solution) the same code path:
    /// several diagnostics on one <c>Sql(...)</c> call are rewritten together instead of as overlapping edits.
    /// </summary>
    public abstract class MigrationFixer : CodeFixProvider
    {
        /// <summary>Title of the code action (the light bulb text).</summary>
        protected abstract string Title { get; }

        /// <summary>Stable key for Fix All: one per rule and fix kind.</summary>
        protected abstract string EquivalenceKey { get; }

        /// <summary>Fixes offered ahead of this fixer's own one, each for the diagnostics it can rewrite (none by default).</summary>
        private protected virtual IReadOnlyList<AlternativeFix> Alternatives => Array.Empty<AlternativeFix>();

        public sealed override FixAllProvider GetFixAllProvider() =>
            new MigrationFixAllProvider((key, document, diagnostics, cancellationToken) => FixOrNullAsync(key, document, diagnostics.Where(IsFixable).ToImmutableArray(), cancellationToken));

        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            // All diagnostics of this fixer at the span: raw-SQL statements of one Sql(...) call share a location.
            var diagnostics = context.Diagnostics.Where(IsFixable).ToImmutableArray();
            if (diagnostics.IsEmpty)
            {
                return;
            }

            foreach (var alternative in Alternatives)
            {
                var applicable = await ApplicableAsync(alternative, context.Document, diagnostics, context.CancellationToken).ConfigureAwait(false);
                if (!applicable.IsEmpty)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create(alternative.Title, ct => FixAndImportAsync(alternative.Fix, context.Document, applicable, ct), alternative.EquivalenceKey),
                        applicable);
                }
            }

            // Offered only when it changes something: a fixer leaves shapes it cannot rewrite as written (e.g. a
            // RenameColumn with a chained call). One document's rewrite is cheap, and the action returns this result.
            var fixedDocument = await FixAndImportAsync(Fix, context.Document, diagnostics, context.CancellationToken).ConfigureAwait(false);
            if (await ChangesTextAsync(context.Document, fixedDocument, context.CancellationToken).ConfigureAwait(false))
            {
                context.RegisterCodeFix(CodeAction.Create(Title, _ => Task.FromResult(fixedDocument), EquivalenceKey), diagnostics);
            }
        }

        private static async Task<bool> ChangesTextAsync(Document document, Document fixedDocument, CancellationToken cancellationToken) =>
            !(await fixedDocument.GetTextAsync(cancellationToken).ConfigureAwait(false)).ContentEquals(await document.GetTextAsync(cancellationToken).ConfigureAwait(false));

        private static async Task<ImmutableArray<Diagnostic>> ApplicableAsync(AlternativeFix alternative, Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            var fix = await DocumentFix.ReadAsync(document, diagnostics, cancellationToken).ConfigureAwait(false);
            return fix is null ? ImmutableArray<Diagnostic>.Empty : diagnostics.Where(d => alternative.CanFix(fix, d)).ToImmutableArray();
        }

        /// <summary>
        /// A Down step restoring what Up changed (reported under <c>safe_migrations.analyze_down</c>) gets no fix:
        /// the fixers rewrite Up and Down as a pair, from Up's side. Nor does a message shape tagged
        /// <see cref="Analyzers.RuleDescriptors.NoCodeFix"/> (e.g. a rename whose old name the migration re-adds).
        /// </summary>
        private bool IsFixable(Diagnostic diagnostic) =>
            FixableDiagnosticIds.Contains(diagnostic.Id) && !diagnostic.Properties.ContainsKey(DiagnosticProperties.RevertsUp)
            && !diagnostic.Descriptor.CustomTags.Contains(Analyzers.RuleDescriptors.NoCodeFix);

        /// <summary>
        /// Rewrites the code of every diagnostic of the document: the fixer adds its text changes to <paramref name="fix"/>,
        /// which holds the document's syntax, semantic model and text, and the diagnostics sorted by kind.
        /// </summary>
        private protected abstract void Fix(DocumentFix fix);

        /// <summary>Fix All of the action with <paramref name="equivalenceKey"/>: an alternative's, or this fixer's own.</summary>
        private async Task<Document?> FixOrNullAsync(string? equivalenceKey, Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            if (Alternatives.FirstOrDefault(a => a.EquivalenceKey == equivalenceKey) is { } alternative)
            {
                diagnostics = await ApplicableAsync(alternative, document, diagnostics, cancellationToken).ConfigureAwait(false);
                return diagnostics.IsEmpty ? null : await FixAndImportAsync(alternative.Fix, document, diagnostics, cancellationToken).ConfigureAwait(false);
            }

            return diagnostics.IsEmpty ? null : await FixAndImportAsync(Fix, document, diagnostics, cancellationToken).ConfigureAwait(false);
        }

        private static async Task<Document> FixAsync(Action<DocumentFix> rewrite, Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            if (!(await DocumentFix.ReadAsync(document, diagnostics, cancellationToken).ConfigureAwait(false) is { } fix))
            {
                return document;
            }

            rewrite(fix);
            return await fix.ApplyAsync().ConfigureAwait(false);
        }

        /// <summary>The fix, plus <c>using SafeMigrations;</c> when the fixed code calls the safe steps without it.</summary>
        private static async Task<Document> FixAndImportAsync(Action<DocumentFix> rewrite, Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken) =>
            await SafeMigrationsImport.EnsureAsync(await FixAsync(rewrite, document, diagnostics, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }
}
