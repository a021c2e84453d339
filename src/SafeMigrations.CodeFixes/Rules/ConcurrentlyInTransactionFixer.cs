using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0003: each CONCURRENTLY statement goes into its own <c>Sql(..., suppressTransaction: true)</c> call, so it
    /// runs outside the migration's transaction and outside any implicit multi-statement transaction block.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ConcurrentlyInTransactionFixer)), Shared]
    public sealed class ConcurrentlyInTransactionFixer : MigrationFixer
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.ConcurrentlyInTransaction);

        protected override string Title => "Run the concurrent statement outside a transaction";

        protected override string EquivalenceKey => RuleIdentifiers.ConcurrentlyInTransaction;

        protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return document;
            }

            var changes = new List<TextChange>();
            foreach (var group in RawSqlDiagnostics.GroupBySqlCall(root, diagnostics, out _))
            {
                if (SqlCallRewrite.Read(model, group.Key, cancellationToken) is not { } call)
                {
                    continue;
                }

                var flagged = SqlCallRewrite.StatementIndexes(group.Value);
                var lines = call.Rewrite((index, statement) => flagged.Contains(index)
                    ? new[] { SqlCallRewrite.SqlCode(call.Receiver, new[] { statement.Text }, suppressTransaction: true) }
                    : null);
                changes.Add(MigrationSyntax.ReplaceStatement(call.Statement, text, lines));
            }

            return await MigrationSyntax.ApplyAsync(document, changes, cancellationToken).ConfigureAwait(false);
        }
    }
}
