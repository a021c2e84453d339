using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>
    /// SM0019: the statistics snapshot is older than <c>safe_migrations.statistics_max_age_days</c>, or cannot be read.
    /// Reported once per compilation (not per migration), at the end of it, and only in a compilation with EF Core
    /// migrations (a <see cref="CompilationRuleAnalyzer"/>): it judges the snapshot file, not a migration.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class StatisticsSnapshotAnalyzer : CompilationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.StatisticsSnapshot,
            title: "Keep the statistics snapshot current and readable",
            messageFormat: "Statistics snapshot '{0}' {1}; take it again with dotnet build -t:SafeMigrationsStats (or dotnet safemigrations stats) against production",
            category: RuleCategories.Statistics,
            description: "The lock and rewrite rules read table sizes from the statistics snapshot: small tables are exempt, messages name sizes and estimated durations. A snapshot much older than the tables it describes, or one that cannot be read, makes those judgements wrong.",
            severity: DiagnosticSeverity.Info,
            WellKnownDiagnosticTags.CompilationEnd);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        internal override void Analyze(CompilationAnalysisContext context, MigrationCompilationState state)
        {
            var statistics = ProductionStatistics.For(context.Compilation, context.Options, context.CancellationToken);
            if (statistics.Path is null)
            {
                return;
            }

            if (statistics.Error is { } error)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, Location.None, statistics.FileName, "cannot be read (" + error + "): every table is judged as without a snapshot"));
                return;
            }

            var file = statistics.File!;
            var provider = context.Options.AnalyzerConfigOptionsProvider;
            var tree = context.Compilation.SyntaxTrees.FirstOrDefault();
            var options = StatisticsOptions.Read(tree is null ? provider.GlobalOptions : provider.GetOptions(tree));
            var age = DateTimeOffset.UtcNow - file.TakenAt;
            if (age.TotalDays > options.MaxAgeDays)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Rule,
                    Location.None,
                    statistics.FileName,
                    "was taken " + Math.Floor(age.TotalDays).ToString(CultureInfo.InvariantCulture) + " days ago ("
                    + file.TakenAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "), more than "
                    + StatisticsOptions.MaxAgeDaysKey + " = " + options.MaxAgeDays.ToString(CultureInfo.InvariantCulture)
                    + ": table sizes, small-table exemptions and duration estimates come from it"));
            }
        }
    }
}
