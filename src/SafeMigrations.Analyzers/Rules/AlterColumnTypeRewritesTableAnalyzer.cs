using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0007: a column type change that is not binary-compatible rewrites the table under ACCESS EXCLUSIVE.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AlterColumnTypeRewritesTableAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.AlterColumnTypeRewritesTable,
            title: "Change column types without rewriting the table",
            messageFormat: "{0} changes the type of column '{1}' of existing table '{2}' {3}: PostgreSQL rewrites '{2}' and rebuilds its indexes under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it until the migration commits; add a new column, keep it in sync with a trigger, backfill it in batches, swap the columns in a short transaction, and drop the old one in the contract phase",
            category: RuleCategories.Locking,
            description: "ALTER COLUMN ... TYPE rewrites the whole table and its indexes unless the new type is binary-compatible with the old one (same type, varchar(n) to a larger n, varchar to text, numeric precision increase with the same scale...). int to bigint, narrowing, numeric scale changes and text to integer all rewrite while an ACCESS EXCLUSIVE lock blocks every query on the table. timestamp <-> timestamptz is conditional: since PostgreSQL 12 it needs no rewrite when the session TimeZone is UTC (set it in the same transaction before the change, valid when the stored values are UTC); under any other zone every row is rewritten and the stored instants shift.");

        /// <summary>Appended to a timestamp ↔ timestamptz change: the rewrite depends on the session time zone.</summary>
        public const string TimeZoneCondition =
            " while the session TimeZone is not set to UTC (since PostgreSQL 12 this change is binary-coercible, without a rewrite, only when TimeZone is UTC; under any other zone every row is rewritten and the stored instants shift by the zone's offset; if the stored values are UTC, run migrationBuilder.Sql(\"SET LOCAL TimeZone = 'UTC'\") before it in the same transaction; indexes on the column are rebuilt either way)";

        /// <summary>The same message for an AlterColumn without type: judged from the history; the swap fix needs the call's type, so none is offered.</summary>
        public static readonly DiagnosticDescriptor UntypedRule = RuleDescriptors.Create(
            RuleIdentifiers.AlterColumnTypeRewritesTable,
            title: Rule.Title.ToString(),
            messageFormat: Rule.MessageFormat.ToString(),
            category: RuleCategories.Locking,
            description: Rule.Description.ToString(),
            customTags: RuleDescriptors.NoCodeFix);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, UntypedRule);

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
                }
                else if (oldType.IsNull && step.Table is { } table && step.Name is { } column && context.Schema.AgreedColumn(table, column, step.Index)?.StoreType is { } known)
                {
                    change = ColumnTypes.Classify(known, type, version) == TypeChangeSafety.Rewrite ? "from " + known + " (as the earlier migrations left it) to " + type : null;
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
                var sql = statement.Statement;
                if (sql.Kind != StatementKind.AlterTable)
                {
                    continue;
                }

                foreach (var action in sql.Actions)
                {
                    if (action.Kind != AlterTableActionKind.AlterColumnType)
                    {
                        continue;
                    }

                    string? change;
                    // USING "col"::text converts exactly as no USING: judge it by the type alone.
                    if (action.UsingExpression != null && !action.UsingIsPlainCast)
                    {
                        change = "with USING " + action.UsingExpression.Trim() + " (a USING expression is assumed to rewrite every row)";
                    }
                    else if (action.DataType is { } type && version >= 12 && ColumnTypes.IsFullPrecisionTimestamp(type))
                    {
                        // USING "c"::timestamptz converts like no USING: binary-coercible from timestamp under UTC (checked on PostgreSQL 15).
                        change = timeZone.IsUtcAt(statement.Step.Index, statement.StatementIndex) ? null
                            : "to " + type + TimeZoneCondition;
                    }
                    else if (action.DataType is { } other && !IsUsualWideningTarget(other))
                    {
                        change = "to " + other + " (the old type is unknown, so a rewrite is assumed)";
                    }
                    else
                    {
                        change = null;
                    }

                    if (change != null)
                    {
                        context.Report(Rule, statement, action, "ALTER COLUMN ... TYPE", action.Column ?? "?", sql.Table?.ToString() ?? "?", change);
                    }
                }
            }
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

        /// <summary>text and unbounded varchar: the usual targets of a widening, binary-compatible from varchar/text.</summary>
        private static bool IsUsualWideningTarget(string type)
        {
            var normalized = ColumnTypes.Normalize(type);
            return normalized == "text" || normalized == "character varying";
        }
    }
}
