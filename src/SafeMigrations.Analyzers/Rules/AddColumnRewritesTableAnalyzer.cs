using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0004: a column added with a volatile default, identity, serial or stored generated expression rewrites the table.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AddColumnRewritesTableAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AddColumnRewritesTable,
            title: "Add columns without rewriting the table",
            messageFormat: "{0} adds a column to existing table '{1}' {2}: PostgreSQL rewrites '{1}' and all its indexes under an ACCESS EXCLUSIVE lock that blocks all reads and writes of '{1}' until the migration commits; add the column nullable without a default, then set the default, backfill existing rows in batches, and enforce NOT NULL through a validated CHECK constraint",
            category: RuleCategories.Locking,
            description: "ADD COLUMN with a constant or stable default (0, '', now()) only writes the catalog. A volatile default (gen_random_uuid(), random(), clock_timestamp(), nextval(), unknown functions), an identity or serial column, or a stored generated column must compute a value for every existing row: the whole table and its indexes are rewritten while an ACCESS EXCLUSIVE lock blocks every query on it. Before PostgreSQL 11 any default does this.");

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
                var sql = statement.Statement;
                if (sql.Kind != StatementKind.AlterTable)
                {
                    continue;
                }

                foreach (var action in sql.Actions)
                {
                    if (action.Kind == AlterTableActionKind.AddColumn && ColumnFacts.RewriteReason(action, version) is { } reason)
                    {
                        context.Report(Rule, statement, action, "ADD COLUMN '" + (action.Column ?? "?") + "'", sql.Table?.ToString() ?? "?", reason);
                    }
                }
            }
        }
    }
}
