using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0008: a foreign key added to an existing table is validated by a full scan while both tables are locked against writes.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AddForeignKeyValidatedAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AddForeignKeyValidated,
            title: "Add foreign keys NOT VALID and validate them separately",
            messageFormat: "{0} scans every row of '{1}' to validate it while holding {2} until the migration commits: {3}; add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a later migration (or in its own Sql(..., suppressTransaction: true) call)",
            category: RuleCategories.Locking,
            description: "ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE on the dependent and the principal table and checks every existing row before the migration commits: inserts, updates and deletes on both tables wait for the whole scan. Add the constraint NOT VALID (brief lock, new rows are checked) and run VALIDATE CONSTRAINT, which only takes SHARE UPDATE EXCLUSIVE, in a later transaction.");

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
                var sql = statement.Statement;
                if (sql.Kind != StatementKind.AlterTable || sql.Table is null)
                {
                    continue;
                }

                var table = sql.Table.ToString();
                var validatesNewColumns = ValidatesInlineReferences(sql);
                foreach (var action in sql.Actions)
                {
                    if (action.Kind == AlterTableActionKind.AddConstraint && action.Constraint == ConstraintKind.ForeignKey && !action.NotValid)
                    {
                        var what = action.Name is null ? "ADD FOREIGN KEY" : "ADD CONSTRAINT '" + action.Name + "' FOREIGN KEY";
                        context.Report(Rule, statement, action, what, table, WriteLocks(table, action.ReferencedTable?.ToString()), BlocksWrites);
                    }
                    else if (action.Kind == AlterTableActionKind.AddColumn && validatesNewColumns && action.InlineConstraints.Contains(ConstraintKind.ForeignKey))
                    {
                        var principal = action.ReferencedTable?.ToString() ?? "?";
                        context.Report(
                            Rule,
                            statement,
                            action,
                            "ADD COLUMN '" + action.Column + "' ... REFERENCES (validated because the statement sets a default or adds a table foreign key)",
                            table,
                            "ACCESS EXCLUSIVE on '" + table + "' and SHARE ROW EXCLUSIVE on '" + principal + "'",
                            "every query on '" + table + "' and every write to '" + principal + "' waits for the whole scan");
                    }
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

        private const string BlocksWrites = "inserts, updates and deletes on both tables wait for the whole scan";

        private static string WriteLocks(string table, string? principal) =>
            "SHARE ROW EXCLUSIVE on '" + table + "' and '" + (principal ?? "?") + "'";

        private static string? Principal(MigrationStep step)
        {
            var principal = step.GetString("principalTable");
            return principal is null ? null : new TableName(step.GetString("principalSchema"), principal).ToString();
        }

        /// <summary>
        /// PostgreSQL skips the validation of an inline <c>ADD COLUMN ... REFERENCES</c> (the new column is all NULL)
        /// unless some ADD COLUMN of the same statement has a default (serial and stored generated columns have one),
        /// or the statement also adds a table foreign key (parse_utilcmd.c, transformAlterTableStmt: skipValidation).
        /// </summary>
        private static bool ValidatesInlineReferences(SqlStatement statement)
        {
            foreach (var action in statement.Actions)
            {
                if (action.Kind == AlterTableActionKind.AddColumn && (action.DefaultExpression != null || action.Serial || action.GeneratedStored))
                {
                    return true;
                }

                if (action.Kind == AlterTableActionKind.AddConstraint && action.Constraint == ConstraintKind.ForeignKey)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
