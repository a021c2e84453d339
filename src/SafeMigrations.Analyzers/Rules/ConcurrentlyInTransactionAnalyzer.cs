using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0003: a CONCURRENTLY statement that would run inside a transaction block fails at run time.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ConcurrentlyInTransactionAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.ConcurrentlyInTransaction,
            title: "Run CONCURRENTLY statements outside a transaction",
            messageFormat: "{0} cannot run inside a transaction block, and {1}: the migration fails at run time; run it as the only statement of its own migrationBuilder.Sql(\"...\", suppressTransaction: true) call",
            category: RuleCategories.Locking,
            description: "CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY fail with 'cannot run inside a transaction block'. EF runs each migration in a transaction unless the Sql(...) call passes suppressTransaction: true, and PostgreSQL runs several statements sent together as one implicit transaction.");

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        // A run-time failure: no table size, phase or undo makes it work.
        protected override RuleExemptions Exemptions => RuleExemptions.None;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (!(step.Sql is { IsConstant: true, SuppressTransaction: { } suppressed } sql))
                {
                    continue;
                }

                var statementCount = 0;
                foreach (var statement in sql.Statements)
                {
                    if (statement.Kind != StatementKind.Empty)
                    {
                        statementCount++;
                    }
                }

                if (suppressed && statementCount < 2)
                {
                    continue;
                }

                var reason = suppressed
                    ? "this Sql(...) call sends " + statementCount.ToString(CultureInfo.InvariantCulture) + " statements, which PostgreSQL runs as one implicit transaction block"
                    : "EF runs this Sql(...) call inside the migration's transaction (suppressTransaction is not true)";

                foreach (var statement in context.Model.SqlStatements())
                {
                    if (statement.Step == step && Describe(statement.Statement) is { } what)
                    {
                        context.Report(Rule, statement, what, reason);
                    }
                }
            }
        }

        private static string? Describe(SqlStatement statement)
        {
            if (!statement.Concurrently)
            {
                return null;
            }

            switch (statement.Kind)
            {
                case StatementKind.CreateIndex:
                    return "CREATE INDEX CONCURRENTLY";
                case StatementKind.DropIndex:
                    return "DROP INDEX CONCURRENTLY";
                case StatementKind.Reindex:
                    return "REINDEX CONCURRENTLY";
                case StatementKind.AlterTable:
                    return "ALTER TABLE ... DETACH PARTITION CONCURRENTLY";
                default:
                    // REFRESH MATERIALIZED VIEW CONCURRENTLY runs fine inside a transaction.
                    return null;
            }
        }
    }
}
