using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0008: a foreign key added to an existing table is validated by a full scan while both tables are locked against writes.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AddForeignKeyValidatedAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AddForeignKeyValidated,
            title: StatementRules.AddForeignKeyValidated.Title,
            messageFormat: StatementRules.AddForeignKeyValidated.MessageFormat,
            category: RuleCategories.Locking,
            description: StatementRules.AddForeignKeyValidated.Description);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("AddForeignKey"))
                {
                    var table = step.Table?.ToString() ?? "?";
                    var principal = Principal(step);
                    context.Report(Rule, step, "AddForeignKey '" + (step.Name ?? "?") + "'", table, WriteLocks(table, principal), BlocksWrites);
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                foreach (var finding in StatementRules.ForeignKeys(statement.Statement))
                {
                    context.Report(Rule, statement, finding.Action!, finding.Arguments);
                }
            }

            foreach (var validation in ValidationUnderAddLock.Find(context.Model))
            {
                if (validation.Added.Constraint == ConstraintKind.ForeignKey)
                {
                    var table = validation.Table.ToString();
                    context.Report(
                        Rule,
                        validation.Validate,
                        validation.ValidateAction,
                        "VALIDATE CONSTRAINT '" + validation.ValidateAction.Name + "' in the same transaction as its ADD ... NOT VALID",
                        table,
                        WriteLocks(table, validation.Added.ReferencedTable?.ToString()),
                        BlocksWrites);
                }
            }
        }

        private const string BlocksWrites = StatementRules.ForeignKeyBlocksWrites;

        private static string WriteLocks(string table, string? principal) => StatementRules.ForeignKeyWriteLocks(table, principal);

        private static string? Principal(MigrationStep step)
        {
            var principal = step.GetString("principalTable");
            return principal is null ? null : new TableName(step.GetString("principalSchema"), principal).ToString();
        }
    }
}
