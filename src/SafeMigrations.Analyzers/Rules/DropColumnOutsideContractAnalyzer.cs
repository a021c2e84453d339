using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0013: a column dropped before the running app version stopped selecting it breaks that version.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DropColumnOutsideContractAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.DropColumnOutsideContract,
            title: "Drop columns only in the contract phase",
            messageFormat: "Dropping {0} of '{1}' outside the contract phase breaks the app version still running, which selects it (EF selects every mapped column) and fails until every instance runs the new version; the drop itself takes a brief ACCESS EXCLUSIVE lock. Stop mapping the column, deploy, then drop it in the contract phase: .InContractPhase() (or [ContractPhase] on the migration).",
            category: RuleCategories.Compatibility,
            description: "During a rolling deployment the previous app version keeps running while the migration runs. EF Core selects every mapped column by name, so once the column is gone every query of the old version on that table fails. Remove the property from the model (or ignore it) first, deploy, and drop the column in the contract phase, after every instance runs the new version.");

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.Compatibility;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("DropColumn"))
                {
                    context.Report(Rule, step, "column '" + (step.Name ?? "?") + "'", step.Table?.ToString() ?? "?");
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                if (sql.Kind != StatementKind.AlterTable)
                {
                    continue;
                }

                // One diagnostic per statement, naming every dropped column that no exemption covers.
                AlterTableAction? first = null;
                var columns = new List<string>();
                foreach (var action in sql.Actions)
                {
                    if (action.Kind == AlterTableActionKind.DropColumn && !context.IsExempt(statement, action))
                    {
                        first ??= action;
                        columns.Add(action.Column ?? "?");
                    }
                }

                if (first != null)
                {
                    var what = (columns.Count == 1 ? "column " : "columns ") + StatementTables.Quote(columns);
                    context.Report(Rule, statement, first, what, sql.Table?.ToString() ?? "?");
                }
            }
        }
    }
}
