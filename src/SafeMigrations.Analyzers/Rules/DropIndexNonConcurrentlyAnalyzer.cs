using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0002: DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table (Npgsql's DropIndex always does).</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DropIndexNonConcurrentlyAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.DropIndexNonConcurrently,
            title: "Drop indexes concurrently",
            messageFormat: "{0} takes an ACCESS EXCLUSIVE lock on {1} that blocks all reads and writes of it until the migration commits, and queues every later query behind any long-running one; drop it concurrently: migrationBuilder.Sql(\"DROP INDEX CONCURRENTLY IF EXISTS ...\", suppressTransaction: true)",
            category: RuleCategories.Locking,
            description: "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table; Npgsql's DropIndex never emits CONCURRENTLY. While the lock waits behind a running query, every other query on the table waits too. Use DROP INDEX CONCURRENTLY outside a transaction.");

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("DropIndex"))
                {
                    context.Report(Rule, step, "DropIndex '" + (step.Name ?? "?") + "'", Describe(step.Table?.ToString()));
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                if (sql.Kind == StatementKind.DropIndex && !sql.Concurrently)
                {
                    var what = sql.Index is null ? "DROP INDEX" : "DROP INDEX '" + sql.Index.Name + "'";
                    context.Report(Rule, statement, what, Describe(sql.Table?.ToString()));
                }
            }
        }

        private static string Describe(string? table) => table is null ? "the index's table" : "table '" + table + "'";
    }
}
