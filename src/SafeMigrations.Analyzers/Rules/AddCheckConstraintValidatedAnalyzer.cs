using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0009: a check constraint added to an existing table is validated by a full scan under ACCESS EXCLUSIVE.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AddCheckConstraintValidatedAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AddCheckConstraintValidated,
            title: "Add check constraints NOT VALID and validate them separately",
            messageFormat: "{0} scans every row of '{1}' while holding ACCESS EXCLUSIVE on '{1}' until the migration commits: every read and write of '{1}' waits for the whole scan; add the check NOT VALID, then VALIDATE CONSTRAINT in a later migration (or in its own Sql(..., suppressTransaction: true) call)",
            category: RuleCategories.Locking,
            description: "ADD CONSTRAINT ... CHECK takes ACCESS EXCLUSIVE on the table and evaluates the expression for every existing row before the migration commits: all reads and writes of the table wait for the whole scan. Add the constraint NOT VALID (brief lock, new rows are checked) and run VALIDATE CONSTRAINT, which only takes SHARE UPDATE EXCLUSIVE, in a later transaction.");

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
                var sql = statement.Statement;
                if (sql.Kind != StatementKind.AlterTable || sql.Table is null)
                {
                    continue;
                }

                foreach (var action in sql.Actions)
                {
                    if (action.Kind == AlterTableActionKind.AddConstraint && action.Constraint == ConstraintKind.Check && !action.NotValid)
                    {
                        var what = action.Name is null ? "ADD CHECK" : "ADD CONSTRAINT '" + action.Name + "' CHECK";
                        context.Report(Rule, statement, action, what, sql.Table.ToString());
                    }
                    else if (action.Kind == AlterTableActionKind.AddColumn && action.InlineConstraints.Contains(ConstraintKind.Check) && !action.NotValid)
                    {
                        // A new column's CHECK is checked against every existing row (a column constraint cannot be NOT VALID).
                        context.Report(Rule, statement, action, "ADD COLUMN '" + action.Column + "' ... CHECK", sql.Table.ToString());
                    }
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
