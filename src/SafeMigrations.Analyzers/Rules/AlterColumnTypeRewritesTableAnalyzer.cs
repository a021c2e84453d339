using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0007: a column type change that is not binary-compatible rewrites the table under ACCESS EXCLUSIVE.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AlterColumnTypeRewritesTableAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AlterColumnTypeRewritesTable,
            title: StatementRules.AlterColumnTypeRewritesTable.Title,
            messageFormat: StatementRules.AlterColumnTypeRewritesTable.MessageFormat,
            category: RuleCategories.Locking,
            description: StatementRules.AlterColumnTypeRewritesTable.Description);

        /// <summary>Appended to a timestamp ↔ timestamptz change: the rewrite depends on the session time zone.</summary>
        public const string TimeZoneCondition = StatementRules.TimeZoneCondition;

        /// <summary>The same message for an AlterColumn without type: judged from the history; the swap fix needs the call's type, so none is offered.</summary>
        public static readonly DiagnosticDescriptor UntypedRule = RuleDescriptors.Create(
            RuleIdentifiers.AlterColumnTypeRewritesTable,
            title: Rule.Title.ToString(),
            messageFormat: Rule.MessageFormat.ToString(),
            category: RuleCategories.Locking,
            description: Rule.Description.ToString(),
            customTags: RuleDescriptors.NoCodeFix);

        /// <summary>
        /// timestamp ↔ timestamptz with TimeZone UTC on a column the earlier migrations indexed: no row is rewritten, but
        /// the ALTER rebuilds those indexes under the lock. The swap fix would also do, but the UTC fix is already in, so none is offered.
        /// </summary>
        public static readonly DiagnosticDescriptor IndexRebuildRule = RuleDescriptors.Create(
            RuleIdentifiers.AlterColumnTypeRewritesTable,
            title: Rule.Title.ToString(),
            messageFormat: "{0} changes the type of column '{1}' of existing table '{2}' from {3} with TimeZone UTC: no row is rewritten, but PostgreSQL rebuilds the column's indexes {4} under an ACCESS EXCLUSIVE lock that blocks all reads and writes of '{2}' for each build (the operator class changes); drop them concurrently before the change and create them again concurrently after it (the SafeMigrations engine does this itself for plain, non-unique indexes), or change the type through a new column",
            category: RuleCategories.Locking,
            description: Rule.Description.ToString(),
            customTags: RuleDescriptors.NoCodeFix);

        /// <summary>
        /// An AlterColumn whose TYPE clause rewrites nothing (a widening, or the same type written again when the migration
        /// has no target model) on a column a partial index's WHERE clause uses: PostgreSQL rebuilds that index under the
        /// lock (plain indexes on the column are kept). Measured on PostgreSQL 15 by relfilenode.
        /// </summary>
        public static readonly DiagnosticDescriptor PartialIndexRebuildRule = RuleDescriptors.Create(
            RuleIdentifiers.AlterColumnTypeRewritesTable,
            title: Rule.Title.ToString(),
            messageFormat: "{0} of column '{1}' of existing table '{2}' {3}: no row is rewritten, but PostgreSQL rebuilds the partial indexes whose WHERE clause uses the column ({4}) under an ACCESS EXCLUSIVE lock that blocks all reads and writes of '{2}' for each build (plain indexes on the column are kept); drop them concurrently before the step and create them again concurrently after it",
            category: RuleCategories.Locking,
            description: Rule.Description.ToString(),
            customTags: RuleDescriptors.NoCodeFix);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, UntypedRule, IndexRebuildRule, PartialIndexRebuildRule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            var version = context.Options.PostgresVersion;
            var timeZone = SessionTimeZone.Of(context.Model);
            foreach (var step in context.Model.Steps)
            {
                if (!step.IsBuilderMethod("AlterColumn") || RedundantAlterColumnAnalyzer.CurrentState(context, step) != null)
                {
                    continue;
                }

                if (TypeClauseWithoutRewrite(context, step, version) is { } clause
                    && step.Table is { } filteredTable && step.Name is { } filteredColumn
                    && ColumnIndexes.FilteredOn(context.Schema.BeforeStep(step.Index), filteredTable, filteredColumn) is { } partial)
                {
                    context.Report(PartialIndexRebuildRule, step, "AlterColumn", filteredColumn, filteredTable.ToString(), clause, partial);
                }

                // Without type: EF takes it from the target model; judge it with the earlier migrations' type, when both are known.
                if (!(step.GetString("type") is { } type))
                {
                    if (TypesFromHistory(context, step) is { } types && ColumnTypes.Classify(types.Old, types.New, version) == TypeChangeSafety.Rewrite)
                    {
                        context.Report(UntypedRule, step, "AlterColumn", step.Name, step.Table!.Value.ToString(),
                            "from " + types.Old + " to " + types.New + " (the call names no type: the old one is from the earlier migrations, the new one from the target model)");
                    }

                    continue;
                }

                var oldType = step["oldType"];
                string? change;
                var utc = timeZone.IsUtcAt(step.Index);
                if (oldType.AsString() is { } old)
                {
                    change = ColumnTypes.Classify(old, type, version) != TypeChangeSafety.Rewrite ? null
                        : ColumnTypes.IsRewriteFreeUnderUtc(old, type, version) ? (utc ? null : "from " + old + " to " + type + TimeZoneCondition)
                        : ColumnTypes.IsTimeZoneChange(old, type) && version >= 12 ? "from " + old + " to " + type + " (to a precision below 6, which rewrites even when the session TimeZone is UTC)"
                        : "from " + old + " to " + type;
                    if (utc && ColumnTypes.IsRewriteFreeUnderUtc(old, type, version))
                    {
                        ReportIndexRebuild(context, step, old + " to " + type);
                    }
                }
                else if (oldType.IsNull && step.Table is { } table && step.Name is { } column && context.Schema.AgreedColumn(table, column, step.Index)?.StoreType is { } known)
                {
                    // The same time zone exemption as with oldType: the earlier migrations' type is the old one.
                    bool utcSafe = utc && ColumnTypes.IsRewriteFreeUnderUtc(known, type, version);
                    change = utcSafe || ColumnTypes.Classify(known, type, version) != TypeChangeSafety.Rewrite ? null
                        : "from " + known + " (as the earlier migrations left it) to " + type + (ColumnTypes.IsRewriteFreeUnderUtc(known, type, version) ? TimeZoneCondition : string.Empty);
                    if (utcSafe)
                    {
                        ReportIndexRebuild(context, step, known + " (as the earlier migrations left it) to " + type);
                    }
                }
                else if (oldType.IsNull)
                {
                    // With TimeZone set to UTC just before, a full-precision timestamp target is the time zone change.
                    change = IsUsualWideningTarget(type) || (utc && version >= 12 && ColumnTypes.IsFullPrecisionTimestamp(type)) ? null
                        : "to " + type + " without oldType (the old type is unknown, so a rewrite is assumed)";
                }
                else
                {
                    // oldType is not a constant: unreadable, not flagged.
                    change = null;
                }

                if (change != null)
                {
                    context.Report(Rule, step, "AlterColumn", step.Name ?? "?", step.Table?.ToString() ?? "?", change);
                }
            }

            foreach (var statement in context.Model.SqlStatements())
            {
                var utc = timeZone.IsUtcAt(statement.Step.Index, statement.StatementIndex);
                foreach (var finding in StatementRules.AlterColumnTypes(statement.Statement, version, utc))
                {
                    context.Report(Rule, statement, finding.Action!, finding.Arguments);
                }

                if (utc && version >= 12)
                {
                    ReportIndexRebuild(context, statement);
                }
            }
        }

        /// <summary>
        /// The same for a raw <c>ALTER ... TYPE timestamp[tz]</c> under UTC: the statement does not say the old type, so
        /// only a column the earlier migrations left with the other timestamp type, and indexed, is reported.
        /// </summary>
        private static void ReportIndexRebuild(MigrationContext context, StepStatement statement)
        {
            if (!(TableName.From(statement.Statement.Table) is { } table))
            {
                return;
            }

            foreach (var action in statement.Statement.Actions)
            {
                if (TimestampTypeChange.IsCandidate(action) && action.Column is { } column
                    && context.Schema.AgreedColumn(table, column, statement.Step.Index)?.StoreType is { } known
                    && ColumnTypes.IsRewriteFreeUnderUtc(known, action.DataType!, context.Options.PostgresVersion)
                    && ColumnIndexes.On(context.Schema.BeforeStep(statement.Step.Index), table, column) is { } names)
                {
                    context.Report(IndexRebuildRule, statement, action, "ALTER COLUMN ... TYPE", column, table.ToString(), known + " (as the earlier migrations left it) to " + action.DataType, names);
                }
            }
        }

        /// <summary>SM0007 for a rewrite-free time zone change when the schema before the step has indexes keyed on the column.</summary>
        private static void ReportIndexRebuild(MigrationContext context, MigrationStep step, string change)
        {
            if (step.Table is { } table && step.Name is { } column && ColumnIndexes.On(context.Schema.BeforeStep(step.Index), table, column) is { } names)
            {
                context.Report(IndexRebuildRule, step, "AlterColumn", column, table.ToString(), change, names);
            }
        }

        /// <summary>
        /// Why EF writes a TYPE clause for this AlterColumn that rewrites no row, or null when it writes none, when the
        /// change is a rewrite (reported as one) or when it cannot be told. Npgsql writes TYPE when the new type differs
        /// from the old one or the collation changes, and always when the migration has no target model (it cannot
        /// compare them then).
        /// </summary>
        private static string? TypeClauseWithoutRewrite(MigrationContext context, MigrationStep step, int version)
        {
            var type = step.GetString("type");
            var oldType = step["oldType"].AsString();
            if (type is null)
            {
                if (TypesFromHistory(context, step) is { } types)
                {
                    (type, oldType) = (types.New, types.Old);
                }
            }
            else if (oldType is null && step.Table is { } table && step.Name is { } column)
            {
                oldType = context.Schema.AgreedColumn(table, column, step.Index)?.StoreType;
            }

            if (type != null && oldType != null && !SchemaFacts.SameType(type, oldType))
            {
                // A rewrite rebuilds every index anyway (and is reported as such); a time zone change has its own report.
                return ColumnTypes.Classify(oldType, type, version) == TypeChangeSafety.Rewrite ? null : "changes its type from " + oldType + " to " + type;
            }

            if (step.GetString("collation") != step.GetString("oldCollation"))
            {
                return "changes its collation (EF writes it as a TYPE clause)";
            }

            return context.Schema.HasTargetModel
                ? null
                : "is written with a TYPE clause of the type it already has (this migration has no target model, no Designer file with BuildTargetModel, so EF Core cannot tell that the type is unchanged; keeping the Designer file that dotnet ef migrations add writes avoids the clause)";
        }

        /// <summary>The column's type before (earlier migrations) and after (target model, else the CLR type's mapping), when both are known.</summary>
        private static (string Old, string New)? TypesFromHistory(MigrationContext context, MigrationStep step)
        {
            if (!(step.Table is { } table) || !(step.Name is { } column)
                || !(context.Schema.AgreedColumn(table, column, step.Index)?.StoreType is { } oldType)
                || !(context.Schema.NewStoreType(step) is { } newType))
            {
                return null;
            }

            return (oldType, newType);
        }

        private static bool IsUsualWideningTarget(string type) => StatementRules.IsUsualWideningTarget(type);
    }
}
