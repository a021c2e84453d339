using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0012: renaming a table (or moving it to another schema) breaks the app version that is still running.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RenameTableAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.RenameTable,
            title: "Do not rename a table the running app still uses",
            messageFormat: "{0} renames table '{1}' to '{2}' while the running app version still queries '{1}': its queries fail as soon as the rename commits; in the same migration create a view with the old name over the new table (CREATE VIEW {3} AS SELECT * FROM {4}) and drop the view in the contract phase",
            category: RuleCategories.Compatibility,
            description: "During a deployment the previous app version keeps running until every instance is replaced; its queries name the old table and fail with 'relation does not exist' right after the rename (or the move to another schema). The rename itself is brief. Keep the old name working with a simple view over the renamed table (PostgreSQL can insert, update and delete through it) and drop the view once no running version uses the old name.");

        private static readonly Regex PlainIdentifier = new Regex("^[a-z_][a-z0-9_$]*$", RegexOptions.CultureInvariant);

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

                foreach (var action in sql.Actions)
                {
                    TableName to;
                    string what;
                    if (action.Kind == AlterTableActionKind.RenameTable && action.Name != null)
                    {
                        to = new TableName(from.Schema, action.Name);
                        what = "RENAME TO";
                    }
                    else if (action.Kind == AlterTableActionKind.SetSchema && action.Name != null)
                    {
                        to = new TableName(action.Name, from.Name);
                        what = "SET SCHEMA";
                    }
                    else
                    {
                        continue;
                    }

                    if (to != from && !HasCompatibilityView(context.Model, from, to, statement.Step.Index, statement.StatementIndex))
                    {
                        context.Report(Rule, statement, action, what, from.ToString(), to.ToString(), Sql(from), Sql(to));
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

                var sql = statement.Statement;
                if (sql.Kind != StatementKind.CreateView || TableName.From(sql.Table) != from)
                {
                    continue;
                }

                foreach (var token in sql.Tokens)
                {
                    if (token.IsName && token.Value == to.Name)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static string Sql(TableName table) => (table.Schema is null ? string.Empty : Identifier(table.Schema) + ".") + Identifier(table.Name);

        private static string Identifier(string name) => PlainIdentifier.IsMatch(name) ? name : "\"" + name.Replace("\"", "\"\"") + "\"";
    }
}
