using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Analyzers.Reading;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>
    /// SM0018: an AlterColumn whose target state (type, nullability, default) is what the earlier migrations already
    /// made the column, while the call claims a change (a stale <c>oldNullable</c>/<c>oldType</c>/old default, e.g.
    /// after two branches made the same change). Npgsql still runs it under ACCESS EXCLUSIVE.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RedundantAlterColumnAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.RedundantAlterColumn,
            title: "Remove an AlterColumn that changes nothing",
            messageFormat: "AlterColumn of column '{0}' of existing table '{1}' is redundant: the earlier migrations already made it {2}, yet Npgsql still runs {3} under an ACCESS EXCLUSIVE lock that blocks all reads and writes of '{1}' until the migration commits; remove it (and its counterpart in Down)",
            category: RuleCategories.Locking,
            description: "The earlier migrations of the project (and the previous Designer target model) show the column already has the type, nullability and default this AlterColumn sets; its old... arguments are stale. Npgsql still emits ALTER COLUMN ... TYPE, SET NOT NULL (no scan on a column that is already NOT NULL) and, with a default, an UPDATE ... WHERE c IS NULL that scans the whole table, all under ACCESS EXCLUSIVE. Remove the call.");

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var step in context.Model.Steps)
            {
                if (CurrentState(context, step) is { } state)
                {
                    context.Report(Rule, step, step.Name, step.Table!.Value.ToString(), Describe(state), Statements(step, step.Table!.Value.ToString()));
                }
            }
        }

        /// <summary>
        /// The column's state when <paramref name="step"/> is an AlterColumn that sets exactly it while claiming a change; otherwise
        /// null. SM0006 and SM0007 leave such a step to this rule.
        /// </summary>
        internal static ColumnState? CurrentState(MigrationContext context, MigrationStep step)
        {
            if (!step.IsBuilderMethod("AlterColumn") || !(step.Table is { } table) || !(step.Name is { } column)
                || !step.Annotations.IsEmpty || ChangesOtherFacets(step)
                || !(context.Schema.AgreedColumn(table, column, step.Index) is { StoreType: { } storeType, IsNullable: { } isNullable, DefaultText: { } defaultText } state))
            {
                return null;
            }

            var type = step.GetString("type") ?? context.Schema.NewStoreType(step);
            if (type is null || !SchemaFacts.SameType(type, storeType) || step.GetBool("nullable") != isNullable || HistoryReader.DefaultText(step) != defaultText)
            {
                return null;
            }

            // Only a call that claims to change something the history says is already in place.
            var oldType = step.GetString("oldType");
            var claimsChange = step.GetBool("oldNullable") is bool oldNullable && oldNullable != isNullable
                               || oldType != null && !SchemaFacts.SameType(oldType, storeType)
                               || OldDefaultText(step) is { } oldDefault && oldDefault != defaultText;
            return claimsChange ? state : null;
        }

        private static bool ChangesOtherFacets(MigrationStep step) =>
            ColumnFacts.HasValue(step["comment"]) || ColumnFacts.HasValue(step["oldComment"])
            || ColumnFacts.HasValue(step["collation"]) || ColumnFacts.HasValue(step["oldCollation"])
            || ColumnFacts.HasValue(step["computedColumnSql"]) || ColumnFacts.HasValue(step["oldComputedColumnSql"]);

        private static string? OldDefaultText(MigrationStep step)
        {
            var sql = step["oldDefaultValueSql"];
            var value = step["oldDefaultValue"];
            return sql.IsOmitted && value.IsOmitted ? null : HistoryReader.DefaultText(sql, value);
        }

        private static string Describe(ColumnState state) =>
            state.StoreType + (state.IsNullable == true ? " NULL" : " NOT NULL") + (state.DefaultText!.Length == 0 ? string.Empty : " DEFAULT " + state.DefaultText);

        private static string Statements(MigrationStep step, string table)
        {
            var setsNotNull = step.GetBool("nullable") == false && step.GetBool("oldNullable") == true;
            if (setsNotNull && ColumnFacts.HasValue(step["defaultValue"]))
            {
                return "an UPDATE ... WHERE \"" + step.Name + "\" IS NULL that scans all of '" + table + "', then ALTER COLUMN ... SET NOT NULL";
            }

            return setsNotNull ? "ALTER COLUMN ... TYPE and SET NOT NULL (no scan: the column is already NOT NULL)" : "ALTER COLUMN ... TYPE";
        }
    }
}
