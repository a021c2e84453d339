using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0014: the table drop runs in the contract phase (after every app instance stopped using it):
    /// <c>DropTable(...)</c> gets <c>.InContractPhase()</c>, a raw drop its own <c>Sql(...).InContractPhase()</c> call.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DropTableOutsideContractFixer)), Shared]
    public sealed class DropTableOutsideContractFixer : DropOutsideContractFixer
    {
        public DropTableOutsideContractFixer()
            : base("DropTable", "table")
        {
        }

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.DropTableOutsideContract);

        protected override string Title => "Move the table drop to the contract phase";

        protected override string EquivalenceKey => RuleIdentifiers.DropTableOutsideContract;
    }
}
