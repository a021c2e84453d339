using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0001: an index built without CONCURRENTLY on an existing table blocks writes for the whole build.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class CreateIndexNonConcurrentlyAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.CreateIndexNonConcurrently,
            title: "Create indexes on existing tables concurrently",
            messageFormat: "{0} on existing table '{1}' takes a SHARE lock that blocks all writes to '{1}' for the whole index build; create it concurrently: .Annotation(\"Npgsql:CreatedConcurrently\", true) (or CREATE INDEX CONCURRENTLY with suppressTransaction: true)",
            category: RuleCategories.Locking,
            description: "CREATE INDEX without CONCURRENTLY holds a SHARE lock on the table until the migration commits: every INSERT, UPDATE and DELETE waits for the whole index build, which grows with the table. Build it with CREATE INDEX CONCURRENTLY outside a transaction instead.");

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("CreateIndex") && !IsConcurrent(step))
                {
                    context.Report(Rule, step, "CreateIndex '" + (step.Name ?? "?") + "'", step.Table?.ToString() ?? "?");
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                if (sql.Kind == StatementKind.CreateIndex && !sql.Concurrently)
                {
                    var what = sql.Index is null ? "CREATE INDEX" : "CREATE INDEX '" + sql.Index.Name + "'";
                    context.Report(Rule, statement, what, sql.Table?.ToString() ?? "?");
                }
            }
        }

        /// <summary>Concurrent, or unknown (an annotation whose value is not a constant: not flagged).</summary>
        private static bool IsConcurrent(MigrationStep step)
        {
            var annotation = step.FindAnnotation(NpgsqlAnnotations.CreatedConcurrently);
            return annotation != null && annotation.Value.AsBool() != false;
        }
    }
}
