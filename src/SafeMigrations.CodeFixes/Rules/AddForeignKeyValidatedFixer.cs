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
    /// SM0008: <c>AddForeignKey</c> becomes <c>AddForeignKeyNotValid</c> + <c>ValidateConstraint</c>; raw
    /// <c>ADD CONSTRAINT</c> gets NOT VALID and a separate validation; an inline constraint on <c>ADD COLUMN</c> becomes a
    /// NOT VALID table constraint of the same statement; a VALIDATE in the transaction of its NOT VALID ADD moves to
    /// <c>ValidateConstraint</c> (its own transaction, after EF commits the ADD).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddForeignKeyValidatedFixer)), Shared]
    public sealed class AddForeignKeyValidatedFixer : NotValidConstraintFixer
    {
        public AddForeignKeyValidatedFixer()
            : base(ConstraintKind.ForeignKey, "AddForeignKey", "AddForeignKeyNotValid", "foreign key")
        {
        }

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.AddForeignKeyValidated);

        protected override string Title => "Add the foreign key NOT VALID and validate it separately";

        protected override string EquivalenceKey => RuleIdentifiers.AddForeignKeyValidated;
    }
}
