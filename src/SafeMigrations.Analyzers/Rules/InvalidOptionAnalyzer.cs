using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>
    /// SM0020: a <c>safe_migrations.*</c> key in .editorconfig / .globalconfig that is not an option, or whose value
    /// cannot be read. Each reader falls back to its default (or, for <c>start_after</c>, checks every migration), so
    /// without this a typo would silently change what the other rules judge. Reported once per key and value, at the
    /// end of the compilation, only in a compilation with EF Core migrations: it judges the configuration, not a migration.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class InvalidOptionAnalyzer : CompilationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.InvalidOption,
            title: "Write SafeMigrations options the analyzers can read",
            messageFormat: "{0} = '{1}' {2}",
            category: RuleCategories.Configuration,
            description: "A misspelled safe_migrations key changes nothing, and a value that cannot be read falls back to the default: the rules then judge migrations with settings you did not choose (a PostgreSQL version, small tables, the migrations already deployed).",
            severity: DiagnosticSeverity.Warning,
            WellKnownDiagnosticTags.CompilationEnd);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        internal override void Analyze(CompilationAnalysisContext context, MigrationCompilationState state)
        {
            // Files under the same sections share one options object: each distinct one is read once.
            var provider = context.Options.AnalyzerConfigOptionsProvider;
            var sources = new List<AnalyzerConfigOptions> { provider.GlobalOptions };
            foreach (var tree in context.Compilation.SyntaxTrees)
            {
                var options = provider.GetOptions(tree);
                if (!sources.Exists(known => ReferenceEquals(known, options)))
                {
                    sources.Add(options);
                }
            }

            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var options in sources)
            {
                foreach (var (key, value, problem) in OptionChecks.Problems(options))
                {
                    if (reported.Add(key + "\n" + value))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(Rule, Location.None, key, value, problem));
                    }
                }

                // The MSBuild property stands in for the key; its shape is checked here since it has no safe_migrations. prefix.
                var setting = MigrationOptions.StartAfterSetting(options);
                if (setting is { } property && property.Key != MigrationOptions.StartAfterKey && MigrationCutoff.Parse(property.Value) is null
                    && reported.Add(property.Key + "\n" + property.Value))
                {
                    context.ReportDiagnostic(Diagnostic.Create(Rule, Location.None, property.Key, property.Value.Trim(), OptionChecks.StartAfterProblem));
                }

                // A whole id that names no migration is most likely a typo: it would quietly cover too many or too few.
                if (setting is { } given && MigrationCutoff.Parse(given.Value) is { IsTimestamp: false } cutoff
                    && !state.MigrationIds.Contains(cutoff.Value)
                    && reported.Add(given.Key + "\n" + cutoff.Value))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Rule,
                        Location.None,
                        given.Key,
                        cutoff.Value,
                        "names no migration of this project, so every migration is checked: write the id of the last migration already deployed, as in its [Migration(\"...\")], or its 14-digit timestamp alone"));
                }
            }
        }
    }
}
