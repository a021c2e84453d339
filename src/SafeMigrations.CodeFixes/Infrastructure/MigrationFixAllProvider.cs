using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// Fix All for the migration fixers: each document's diagnostics fixed together by one call. Unlike
    /// <see cref="FixAllProvider.Create(Func{FixAllContext, Document, ImmutableArray{Diagnostic}, Task{Document}})"/>,
    /// it does not skip generated documents: real migration files often start with <c>// &lt;auto-generated /&gt;</c>.
    /// </summary>
    internal sealed class MigrationFixAllProvider : FixAllProvider
    {
        // Called with the code action's equivalence key: a fixer may offer several actions.
        private readonly Func<string?, Document, ImmutableArray<Diagnostic>, CancellationToken, Task<Document?>> _fixDocument;

        public MigrationFixAllProvider(Func<string?, Document, ImmutableArray<Diagnostic>, CancellationToken, Task<Document?>> fixDocument)
        {
            _fixDocument = fixDocument;
        }

        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() =>
            new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

        public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
        {
            var title = fixAllContext.CodeActionEquivalenceKey ?? "Fix all";
            switch (fixAllContext.Scope)
            {
                case FixAllScope.Document when fixAllContext.Document is { } document:
                    return Task.FromResult<CodeAction?>(CodeAction.Create(
                        title,
                        async ct => await FixDocumentAsync(fixAllContext, document, ct).ConfigureAwait(false) ?? document,
                        title));
                case FixAllScope.Project:
                    return Task.FromResult<CodeAction?>(CodeAction.Create(
                        title,
                        ct => FixProjectsAsync(fixAllContext, new[] { fixAllContext.Project }, ct),
                        title));
                case FixAllScope.Solution:
                    return Task.FromResult<CodeAction?>(CodeAction.Create(
                        title,
                        ct => FixProjectsAsync(fixAllContext, fixAllContext.Solution.Projects, ct),
                        title));
                default:
                    return Task.FromResult<CodeAction?>(null);
            }
        }

        private async Task<Document?> FixDocumentAsync(FixAllContext context, Document document, CancellationToken cancellationToken)
        {
            var diagnostics = await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false);
            return diagnostics.IsEmpty ? null : await _fixDocument(context.CodeActionEquivalenceKey, document, diagnostics, cancellationToken).ConfigureAwait(false);
        }

        private async Task<Solution> FixProjectsAsync(FixAllContext context, IEnumerable<Project> projects, CancellationToken cancellationToken)
        {
            // Every document is fixed against the original solution, in parallel, then the new texts are put together.
            var solution = context.Solution;
            var fixes = projects.SelectMany(p => p.Documents).Select(d => FixDocumentAsync(context, d, cancellationToken)).ToList();
            foreach (var fixedDocument in await Task.WhenAll(fixes).ConfigureAwait(false))
            {
                if (fixedDocument != null)
                {
                    solution = solution.WithDocumentText(fixedDocument.Id, await fixedDocument.GetTextAsync(cancellationToken).ConfigureAwait(false));
                }
            }

            return solution;
        }
    }
}
