using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0004: a column added with a volatile default, identity, serial or stored generated expression rewrites the table.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AddColumnRewritesTableAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AddColumnRewritesTable,
            title: StatementRules.AddColumnRewritesTable.Title,
            messageFormat: StatementRules.AddColumnRewritesTable.MessageFormat,
            category: RuleCategories.Locking,
            description: StatementRules.AddColumnRewritesTable.Description);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            var version = context.Options.PostgresVersion;
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("AddColumn") && ColumnFacts.RewriteReason(step, version) is { } reason)
                {
                    context.Report(Rule, step, "AddColumn '" + (step.Name ?? "?") + "'", step.Table?.ToString() ?? "?", reason);
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                foreach (var finding in StatementRules.AddColumns(statement.Statement, version))
                {
                    context.Report(Rule, statement, finding.Action!, finding.Arguments);
                }
            }
        }
    }
}
