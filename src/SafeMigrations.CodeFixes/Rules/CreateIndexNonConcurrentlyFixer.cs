using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;

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
        private const string Comment = "// Built concurrently, outside the migration's transaction: writes continue during the build.";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.CreateIndexNonConcurrently);

        protected override string Title => "Create the index concurrently";

        protected override string EquivalenceKey => RuleIdentifiers.CreateIndexNonConcurrently;

        private protected override void Fix(DocumentFix fix)
        {
            fix.RewriteFlaggedStatements((call, statement) =>
            {
                if (SqlText.InsertAfterKeyword(statement.Text, "index", "CONCURRENTLY") is not { } concurrent)
                {
                    return null;
                }

                return new[]
                {
                    Comment,
                    SqlCallRewrite.SqlCode(call.Receiver, new[] { concurrent }, suppressTransaction: true),
                };
            });

            foreach (var (_, statement) in fix.BuilderStatements("CreateIndex"))
            {
                fix.InsertCommentsBefore(statement, Comment);
                fix.Add(MigrationSyntax.AppendChainedCall(statement, fix.Text, ".Annotation(\"Npgsql:CreatedConcurrently\", true)"));
            }
        }
    }
}
