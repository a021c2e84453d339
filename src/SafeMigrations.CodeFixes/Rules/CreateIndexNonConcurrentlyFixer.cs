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
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0001: build the index concurrently. <c>CreateIndex</c> gets Npgsql's <c>CreatedConcurrently</c> annotation
    /// (Npgsql then emits CREATE INDEX CONCURRENTLY and suppresses the transaction); raw <c>CREATE INDEX</c> gets
    /// CONCURRENTLY and its own <c>Sql(..., suppressTransaction: true)</c> call.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CreateIndexNonConcurrentlyFixer)), Shared]
    public sealed class CreateIndexNonConcurrentlyFixer : MigrationFixer
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.CreateIndexNonConcurrently);

        protected override string Title => "Create the index concurrently";

        protected override string EquivalenceKey => RuleIdentifiers.CreateIndexNonConcurrently;

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
            var sqlCalls = RawSqlDiagnostics.GroupBySqlCall(root, diagnostics, out var builderDiagnostics);
            foreach (var group in sqlCalls)
            {
                if (SqlCallRewrite.Read(model, group.Key, cancellationToken) is not { } call)
                {
                    continue;
                }

                var flagged = SqlCallRewrite.StatementIndexes(group.Value);
                var lines = call.Rewrite((index, statement) =>
                {
                    if (!flagged.Contains(index) || SqlText.InsertAfterKeyword(statement.Text, "index", "CONCURRENTLY") is not { } concurrent)
                    {
                        return null;
                    }

                    return new[]
                    {
                        "// Built concurrently, outside the migration's transaction: writes continue during the build.",
                        SqlCallRewrite.SqlCode(call.Receiver, new[] { concurrent }, suppressTransaction: true),
                    };
                });
                changes.Add(MigrationSyntax.ReplaceStatement(call.Statement, text, lines));
            }

            foreach (var diagnostic in builderDiagnostics)
            {
                if (MigrationSyntax.FindInvocation(root, diagnostic) is { } invocation
                    && MigrationSyntax.MethodName(invocation) == "CreateIndex"
                    && MigrationSyntax.StatementOf(invocation) is { } statement)
                {
                    changes.Add(MigrationSyntax.InsertCommentsBefore(statement, text, new[] { "// Built concurrently, outside the migration's transaction: writes continue during the build." }));
                    changes.Add(MigrationSyntax.AppendChainedCall(statement, text, ".Annotation(\"Npgsql:CreatedConcurrently\", true)"));
                }
            }

            return await MigrationSyntax.ApplyAsync(document, changes, cancellationToken).ConfigureAwait(false);
        }
    }
}
