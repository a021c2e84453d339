using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0013: a column dropped before the running app version stopped selecting it breaks that version.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DropColumnOutsideContractAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.DropColumnOutsideContract,
            title: StatementRules.DropColumnOutsideContract.Title,
            messageFormat: StatementRules.DropColumnOutsideContract.MessageFormat,
            category: RuleCategories.Compatibility,
            description: StatementRules.DropColumnOutsideContract.Description);

        /// <summary>The column is added back later in the migration with another type: the old version fails on the type.</summary>
        public static readonly DiagnosticDescriptor RetypedRule = RuleDescriptors.Create(
            RuleIdentifiers.DropColumnOutsideContract,
            title: Rule.Title.ToString(),
            messageFormat: "Dropping column '{0}' of '{1}' and adding it back as {2} in the same migration (it was {3}) deletes every value of it, and the app version still running does not fail on a missing column but on the type: it still maps '{0}' as {3}, so its reads and writes of it fail on the type mismatch until every instance runs the new version; add a new column of type {2} under another name, keep it in sync with a trigger, backfill it in batches, switch the app, and drop '{0}' in the contract phase",
            category: RuleCategories.Compatibility,
            description: Rule.Description.ToString(),
            customTags: RuleDescriptors.NoCodeFix);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, RetypedRule);

        protected override RuleExemptions Exemptions => RuleExemptions.Compatibility;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("DropColumn"))
                {
                    if (step.Table is { } table && step.Name is { } column && Retyped(context, table, column, step.Index, -1) is { } types)
                    {
                        context.Report(RetypedRule, step, column, table.ToString(), types.New, types.Old);
                    }
                    else
                    {
                        context.Report(Rule, step, "column '" + (step.Name ?? "?") + "'", step.Table?.ToString() ?? "?");
                    }
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

                if (first != null && columns.Count == 1 && TableName.From(sql.Table) is { } altered
                    && Retyped(context, altered, columns[0], statement.Step.Index, statement.StatementIndex) is { } retyped)
                {
                    context.Report(RetypedRule, statement, first, columns[0], altered.ToString(), retyped.New, retyped.Old);
                }
                else if (first != null)
                {
                    var what = StatementRules.DroppedColumns(columns);
                    context.Report(Rule, statement, first, what, sql.Table?.ToString() ?? "?");
                }
            }
        }

        /// <summary>The column's type before the drop (history) and as a later step adds it back, when both are known and differ.</summary>
        private static (string Old, string New)? Retyped(MigrationContext context, TableName table, string column, int stepIndex, int statementIndex)
        {
            if (LaterSteps.AddsColumn(context.Model, table, column, stepIndex, statementIndex)?.StoreType is { } added
                && context.Schema.BeforeStep(stepIndex)?.Column(table, column)?.StoreType is { } old
                && !SchemaFacts.SameType(old, added))
            {
                return (old, added);
            }

            return null;
        }
    }
}
