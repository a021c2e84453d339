using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0011: renaming a column breaks the app version that is still running, which uses the old name.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RenameColumnAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.RenameColumn,
            title: "Do not rename a column the running app still uses",
            messageFormat: "{0} renames column '{1}' of '{2}' to '{3}' while the running app version still reads and writes '{1}': its queries fail as soon as the rename commits; expand instead (add '{3}', keep both columns in sync with a two-way trigger, backfill in batches, switch the app to '{3}'), then contract (drop the trigger and '{1}')",
            category: RuleCategories.Compatibility,
            description: "During a deployment the previous app version keeps running until every instance is replaced; its queries name the old column and fail with 'column does not exist' right after the rename. The rename itself is brief (ACCESS EXCLUSIVE, no scan). Use expand/contract: add the new column, sync both with a trigger, backfill, move the app to the new column, and drop the old one in the contract phase.");

        /// <summary>The old name is added again later in the migration: the old version reads the new column instead of failing.</summary>
        public static readonly DiagnosticDescriptor ReaddedRule = RuleDescriptors.Create(
            RuleIdentifiers.RenameColumn,
            title: Rule.Title.ToString(),
            messageFormat: "{0} renames column '{1}' of '{2}' to '{3}', and this migration then adds a new column '{1}': the running app version does not fail, it silently reads NULL (or the new column's default) from '{1}' where its data was, and what it writes there never reaches '{3}'; expand instead (add '{3}', keep it in sync with '{1}' through a two-way trigger, backfill in batches, switch the app to '{3}'), then contract (drop the trigger and the old column) before reusing the name '{1}'",
            category: RuleCategories.Compatibility,
            description: Rule.Description.ToString(),
            customTags: RuleDescriptors.NoCodeFix);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, ReaddedRule);

        protected override RuleExemptions Exemptions => RuleExemptions.Compatibility;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (!step.IsBuilderMethod("RenameColumn"))
                {
                    continue;
                }

                var name = step.Name;
                var newName = step.GetString("newName");
                if (name != null && string.Equals(name, newName, StringComparison.Ordinal))
                {
                    continue;
                }

                if (name != null && step.Table is { } table && IsColumnAddedBefore(context.Model, table, name, step.Index, -1))
                {
                    continue;
                }

                var readded = name != null && step.Table is { } renamed && LaterSteps.AddsColumn(context.Model, renamed, name, step.Index) != null;
                context.Report(readded ? ReaddedRule : Rule, step, "RenameColumn", name ?? "?", step.Table?.ToString() ?? "?", newName ?? "?");
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                if (sql.Kind != StatementKind.AlterTable || !(TableName.From(sql.Table) is { } table))
                {
                    continue;
                }

                foreach (var action in sql.Actions)
                {
                    if (action.Kind != AlterTableActionKind.RenameColumn || action.Column is null
                        || string.Equals(action.Column, action.Name, StringComparison.Ordinal)
                        || IsColumnAddedBefore(context.Model, table, action.Column, statement.Step.Index, statement.StatementIndex))
                    {
                        continue;
                    }

                    var readded = LaterSteps.AddsColumn(context.Model, table, action.Column, statement.Step.Index, statement.StatementIndex) != null;
                    context.Report(readded ? ReaddedRule : Rule, statement, action, "RENAME COLUMN", action.Column, table.ToString(), action.Name ?? "?");
                }
            }
        }

        /// <summary>A column added earlier in the same method is unknown to the running app: renaming it breaks nothing.</summary>
        private static bool IsColumnAddedBefore(MigrationModel model, TableName table, string column, int stepIndex, int statementIndex)
        {
            foreach (var step in model.Steps)
            {
                if (step.Index > stepIndex)
                {
                    break;
                }

                if (step.Sql is { IsConstant: true } sql)
                {
                    var statements = sql.Statements;
                    for (var i = 0; i < statements.Count && (step.Index < stepIndex || i < statementIndex); i++)
                    {
                        if (statements[i].Kind == StatementKind.AlterTable && TableName.From(statements[i].Table) == table)
                        {
                            foreach (var action in statements[i].Actions)
                            {
                                if (action.Kind == AlterTableActionKind.AddColumn && string.Equals(action.Column, column, StringComparison.Ordinal))
                                {
                                    return true;
                                }
                            }
                        }
                    }
                }
                else if (step.Index < stepIndex && step.IsBuilderMethod("AddColumn")
                         && step.Table == table && string.Equals(step.Name, column, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
