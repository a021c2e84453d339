using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0014: a table dropped before the running app version stopped using it breaks that version.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DropTableOutsideContractAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.DropTableOutsideContract,
            title: StatementRules.DropTableOutsideContract.Title,
            messageFormat: StatementRules.DropTableOutsideContract.MessageFormat,
            category: RuleCategories.Compatibility,
            description: StatementRules.DropTableOutsideContract.Description);

        /// <summary>The table is created again later in the migration: the data is gone, not just unreachable.</summary>
        public static readonly DiagnosticDescriptor RecreatedRule = RuleDescriptors.Create(
            RuleIdentifiers.DropTableOutsideContract,
            title: Rule.Title.ToString(),
            messageFormat: "Dropping {0} and creating it again in the same migration deletes every row of it for good, and the running app version keeps working on the new, empty table without an error; keep the table and change it in place (AlterColumn, AddColumn, ...), or create the new shape under another name, copy the rows in batches, switch the app, and drop the old table in the contract phase",
            category: RuleCategories.Compatibility,
            description: Rule.Description.ToString(),
            customTags: RuleDescriptors.NoCodeFix);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, RecreatedRule);

        protected override RuleExemptions Exemptions => RuleExemptions.Compatibility;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (step.IsBuilderMethod("DropTable"))
                {
                    var recreated = step.Table is { } dropped && LaterSteps.CreatesTable(context.Model, dropped, step.Index);
                    context.Report(recreated ? RecreatedRule : Rule, step, "table '" + (step.Table?.ToString() ?? "?") + "'");
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                if (statement.Statement.Kind != StatementKind.DropTable)
                {
                    continue;
                }

                // DROP TABLE a, b: each table on its own (a may be new in this method, b live); one diagnostic naming the live ones.
                var live = StatementTables.NotExempt(context, statement);
                if (live.Count == 0)
                {
                    continue;
                }

                var names = new List<string>();
                foreach (var (table, _) in live)
                {
                    names.Add(table.ToString());
                }

                var what = StatementRules.DroppedTables(names);
                var recreated = live.TrueForAll(l => LaterSteps.CreatesTable(context.Model, l.Table, statement.Step.Index, statement.StatementIndex));
                context.Report(recreated ? RecreatedRule : Rule, live[0].Statement, what);
            }
        }
    }
}
