using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0001: an index built without CONCURRENTLY on an existing table blocks writes for the whole build.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class CreateIndexNonConcurrentlyAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.CreateIndexNonConcurrently,
            title: StatementRules.CreateIndexNonConcurrently.Title,
            messageFormat: StatementRules.CreateIndexNonConcurrently.MessageFormat,
            category: RuleCategories.Locking,
            description: StatementRules.CreateIndexNonConcurrently.Description);

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
                foreach (var finding in StatementRules.CreateIndex(statement.Statement))
                {
                    context.Report(Rule, statement, finding.Arguments);
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
