using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
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

        private protected override void Fix(DocumentFix fix) =>
            fix.RewriteFlaggedStatements((call, statement) =>
                new[] { SqlCallRewrite.SqlCode(call.Receiver, new[] { statement.Text }, suppressTransaction: true) });
    }
}
