using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0012: renaming a table (or moving it to another schema) breaks the app version that is still running.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RenameTableAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.RenameTable,
            title: StatementRules.RenameTable.Title,
            messageFormat: StatementRules.RenameTable.MessageFormat,
            category: RuleCategories.Compatibility,
            description: StatementRules.RenameTable.Description);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.Compatibility;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (!step.IsBuilderMethod("RenameTable") || !(step.Table is { } from))
                {
                    continue;
                }

                // EF: a null newName keeps the name, a null newSchema means the default schema.
                var newSchema = step["newSchema"];
                var newName = step["newName"];
                if ((newSchema.IsKnown && !newSchema.HasConstant) || (newName.IsKnown && !newName.HasConstant))
                {
                    continue;
                }

                var to = new TableName(newSchema.AsString(), newName.AsString() ?? from.Name);
                if (to != from && !HasCompatibilityView(context.Model, from, to, step.Index, -1))
                {
                    context.Report(Rule, step, "RenameTable", from.ToString(), to.ToString(), Sql(from), Sql(to));
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                if (sql.Kind != StatementKind.AlterTable || !(TableName.From(sql.Table) is { } from))
                {
                    continue;
                }

                foreach (var finding in StatementRules.RenameTables(sql))
                {
                    var to = TableName.From(StatementRules.RenamedTo(sql.Table!, finding.Action!))!.Value;
                    if (!HasCompatibilityView(context.Model, from, to, statement.Step.Index, statement.StatementIndex))
                    {
                        context.Report(Rule, statement, finding.Action!, finding.Arguments);
                    }
                }
            }
        }

        /// <summary>
        /// A CREATE [OR REPLACE] VIEW named like the old table, over the new one, after the rename in the same method:
        /// raw SQL or the runtime library's <c>CreateCompatibilityView(viewName, table, schema)</c> step.
        /// </summary>
        private static bool HasCompatibilityView(MigrationModel model, TableName from, TableName to, int stepIndex, int statementIndex)
        {
            foreach (var step in model.Steps)
            {
                // The step names one schema for the view and the table, so it covers renames within a schema.
                if (step.Index > stepIndex && step.IsSafeStep("CreateCompatibilityView")
                    && step.GetString("viewName") == from.Name && step.GetString("table") == to.Name
                    && from.Schema == to.Schema && step["schema"].HasConstant && step.GetString("schema") == from.Schema)
                {
                    return true;
                }
            }

            foreach (var statement in model.SqlStatements())
            {
                if (statement.Step.Index < stepIndex || (statement.Step.Index == stepIndex && statement.StatementIndex <= statementIndex))
                {
                    continue;
                }

                if (StatementRules.IsCompatibilityView(statement.Statement, new QualifiedName(from.Schema, from.Name), new QualifiedName(to.Schema, to.Name)))
                {
                    return true;
                }
            }

            return false;
        }

        private static string Sql(TableName table) => StatementRules.TableSql(new QualifiedName(table.Schema, table.Name));
    }
}
