using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0009: a check constraint added to an existing table is validated by a full scan under ACCESS EXCLUSIVE.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AddCheckConstraintValidatedAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AddCheckConstraintValidated,
            title: StatementRules.AddCheckConstraintValidated.Title,
            messageFormat: StatementRules.AddCheckConstraintValidated.MessageFormat,
            category: RuleCategories.Locking,
            description: StatementRules.AddCheckConstraintValidated.Description);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("AddCheckConstraint"))
                {
                    context.Report(Rule, step, "AddCheckConstraint '" + (step.Name ?? "?") + "'", step.Table?.ToString() ?? "?");
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                foreach (var finding in StatementRules.Checks(statement.Statement))
                {
                    context.Report(Rule, statement, finding.Action!, finding.Arguments);
                }
            }

            foreach (var validation in ValidationUnderAddLock.Find(context.Model))
            {
                if (validation.Added.Constraint == ConstraintKind.Check)
                {
                    context.Report(
                        Rule,
                        validation.Validate,
                        validation.ValidateAction,
                        "VALIDATE CONSTRAINT '" + validation.ValidateAction.Name + "' in the same transaction as its ADD ... NOT VALID",
                        validation.Table.ToString());
                }
            }
        }
    }
}
