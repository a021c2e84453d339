using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0013: the column drop runs in the contract phase (after every app instance stopped using it):
    /// <c>DropColumn(...)</c> gets <c>.InContractPhase()</c>, a raw drop its own <c>Sql(...).InContractPhase()</c> call.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DropColumnOutsideContractFixer)), Shared]
    public sealed class DropColumnOutsideContractFixer : DropOutsideContractFixer
    {
        public DropColumnOutsideContractFixer()
            : base("DropColumn", "column")
        {
        }

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.DropColumnOutsideContract);

        protected override string Title => "Move the column drop to the contract phase";

        protected override string EquivalenceKey => RuleIdentifiers.DropColumnOutsideContract;
    }
}
