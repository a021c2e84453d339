using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0011: renaming a column breaks the app version that is still running, which uses the old name.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RenameColumnAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.RenameColumn,
            title: StatementRules.RenameColumn.Title,
            messageFormat: StatementRules.RenameColumn.MessageFormat,
            category: RuleCategories.Compatibility,
            description: StatementRules.RenameColumn.Description);

        /// <summary>The old name is added again later in the migration: the old version reads the new column instead of failing.</summary>
        public static readonly DiagnosticDescriptor ReaddedRule = RuleDescriptors.Create(
            RuleIdentifiers.RenameColumn,
            title: Rule.Title.ToString(),
            messageFormat: StatementRules.RenameColumnReadded.MessageFormat,
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

                foreach (var finding in StatementRules.RenameColumns(sql))
                {
                    var action = finding.Action!;
                    if (IsColumnAddedBefore(context.Model, table, action.Column!, statement.Step.Index, statement.StatementIndex))
                    {
                        continue;
                    }

                    var readded = LaterSteps.AddsColumn(context.Model, table, action.Column!, statement.Step.Index, statement.StatementIndex) != null;
                    context.Report(readded ? ReaddedRule : Rule, statement, action, finding.Arguments);
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
