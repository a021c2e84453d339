using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0009: <c>AddCheckConstraint</c> becomes <c>AddCheckConstraintNotValid</c> + <c>ValidateConstraint</c>; raw
    /// <c>ADD CONSTRAINT</c> gets NOT VALID and a separate validation; an inline constraint on <c>ADD COLUMN</c> becomes a
    /// NOT VALID table constraint of the same statement; a VALIDATE in the transaction of its NOT VALID ADD moves to
    /// <c>ValidateConstraint</c> (its own transaction, after EF commits the ADD).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddCheckConstraintValidatedFixer)), Shared]
    public sealed class AddCheckConstraintValidatedFixer : NotValidConstraintFixer
    {
        public AddCheckConstraintValidatedFixer()
            : base(ConstraintKind.Check, "AddCheckConstraint", "AddCheckConstraintNotValid", "check constraint")
        {
        }

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.AddCheckConstraintValidated);

        protected override string Title => "Add the check constraint NOT VALID and validate it separately";

        protected override string EquivalenceKey => RuleIdentifiers.AddCheckConstraintValidated;
    }
}
