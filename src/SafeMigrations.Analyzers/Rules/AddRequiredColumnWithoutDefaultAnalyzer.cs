using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0005: a NOT NULL column added without a default fails on any table that has rows.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AddRequiredColumnWithoutDefaultAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AddRequiredColumnWithoutDefault,
            title: "Give new required columns a default",
            messageFormat: "{0} adds a NOT NULL column without a default to existing table '{1}': the migration fails with 'column contains null values' as soon as '{1}' has a row; give it a constant default (defaultValue:, or defaultValueSql: \"now()\"), or add it nullable, backfill in batches and enforce NOT NULL through a validated CHECK constraint",
            category: RuleCategories.Data,
            description: "ADD COLUMN ... NOT NULL without a DEFAULT would leave existing rows with NULL, so PostgreSQL rejects it on any non-empty table and the deploy fails. In EF's AddColumn an omitted nullable argument means NOT NULL. A constant or stable default (0, '', false, now()) is filled in from the catalog without a rewrite.");

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        // Fails on any non-empty table, however small, and in any phase: only new tables and Down reverting Up are exempt.
        protected override RuleExemptions Exemptions => RuleExemptions.TablesCreatedEarlier | RuleExemptions.UndoInDown;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("AddColumn") && IsRequiredWithoutValues(step))
                {
                    context.Report(Rule, step, "AddColumn '" + (step.Name ?? "?") + "'", step.Table?.ToString() ?? "?");
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                if (sql.Kind != StatementKind.AlterTable)
                {
                    continue;
                }

                foreach (var action in sql.Actions)
                {
                    if (action.Kind == AlterTableActionKind.AddColumn && IsRequiredWithoutValues(action))
                    {
                        context.Report(Rule, statement, action, "ADD COLUMN '" + (action.Column ?? "?") + "'", sql.Table?.ToString() ?? "?");
                    }
                }
            }
        }

        /// <summary>NOT NULL (nullable: false or omitted) and nothing that gives existing rows a value. Unreadable values count as values.</summary>
        private static bool IsRequiredWithoutValues(MigrationStep step) =>
            step.GetBool("nullable") == false
            && !ColumnFacts.HasValue(step["defaultValue"])
            && !ColumnFacts.HasSqlValue(step["defaultValueSql"])
            && !ColumnFacts.HasSqlValue(step["computedColumnSql"])
            && step.GetBool("rowVersion") != true
            && ColumnFacts.GenerationOf(step) is null
            && !HasUnreadableStrategy(step);

        /// <summary>A value generation strategy we cannot read may be identity: do not flag.</summary>
        private static bool HasUnreadableStrategy(MigrationStep step) =>
            step.FindAnnotation(NpgsqlAnnotations.ValueGenerationStrategy) is { } annotation && !annotation.Value.IsKnown;

        private static bool IsRequiredWithoutValues(AlterTableAction action) =>
            action.NotNull
            && (action.DefaultExpression is null || ColumnFacts.IsNullLiteral(action.DefaultExpression))
            && !action.Identity && !action.Serial && !action.GeneratedStored;
    }
}
