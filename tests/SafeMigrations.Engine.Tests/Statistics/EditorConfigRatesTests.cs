using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Rules;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Statistics;
using SafeMigrations.Engine.Tests.TestApp;
using SafeMigrations.Sql.Statistics;
using SafeMigrations.Testing.RuntimeSql;
using Xunit;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Statistics
{
    /// <summary>
    /// Plan's estimates use the analyzers' rate keys from the project's .editorconfig files, so the compiler's message and
    /// the plan line give the same duration; the compiler's own editorconfig reading (Roslyn's AnalyzerConfigSet) is the reference.
    /// </summary>
    public sealed class EditorConfigRatesTests
    {
        private readonly ITestOutputHelper _output;

        public EditorConfigRatesTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void The_keys_are_the_analyzers_keys()
        {
            Assert.Equal(StatisticsOptions.ScanRateKey, EditorConfigRates.ScanRateKey);
            Assert.Equal(StatisticsOptions.WriteRateKey, EditorConfigRates.WriteRateKey);
        }

        [Theory]
        [InlineData("*", true)]
        [InlineData("*.cs", true)]
        [InlineData("*.{cs,vb}", true)]
        [InlineData("**.cs", true)]
        [InlineData("**/*.cs", true)]
        [InlineData("Migrations/*.cs", true)]
        [InlineData("/Migrations/**", true)]
        [InlineData("**/Migrations/*.cs", true)]
        [InlineData("Migration.[cv]s", true)]
        [InlineData("*.vb", false)]
        [InlineData("*Tests.cs", false)]
        [InlineData("Tests/*.cs", false)]
        [InlineData("*.{vb,fs}", false)]
        [InlineData("*.{cs", false)]
        public void A_section_glob_applies_to_a_migration_file_as_editorconfig_says(string glob, bool applies)
            => Assert.Equal(applies, EditorConfigRates.Matches(glob, "Migrations/Migration.cs"));

        [Fact]
        public async Task Plan_and_the_analyzer_estimate_with_the_same_rate_from_the_same_editorconfig_files()
        {
            string outside = Path.Combine(Path.GetTempPath(), "sm-rates-" + Guid.NewGuid().ToString("N"));
            string project = Path.Combine(outside, "Shop");
            string migrations = Path.Combine(project, "Migrations");
            Directory.CreateDirectory(migrations);
            try
            {
                // Above root = true: never read. In the project: the later section wins. Next to the migrations: closer, and a section for other files.
                string[] editorConfigs =
                {
                    Write(outside, "[*.cs]\nsafe_migrations.write_mb_per_second = 5\n"),
                    Write(project, "root = true\n\n[*.cs]\nsafe_migrations.write_mb_per_second = 90\n\n[*.{cs,vb}]\nsafe_migrations.write_mb_per_second = 30\n"),
                    Write(migrations, "[Tests/*.cs]\nsafe_migrations.write_mb_per_second = 1\n\n[*.cs]\n# faster disks for scans\nsafe_migrations.scan_mb_per_second = 250\n"),
                };
                string snapshot = Path.Combine(project, StatisticsFile.DefaultFileName);
                new StatisticsSnapshot(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), 160004, 0, new[]
                {
                    new TableEstimate("public", "accounts", 2_000_000, 600_000_000, 90_000_000, null, null, null),
                }).Write(snapshot);

                EstimateRates rates = EditorConfigRates.Read(snapshot);
                Assert.Equal((250d, 30d), (rates.ScanMegabytesPerSecond, rates.WriteMegabytesPerSecond));

                const string Duration = "changing the rows takes an estimated ~20 s under the lock (600 MB at 30 MB/s, safe_migrations.write_mb_per_second)";
                var log = new EngineApplyTests.TestLog(_output);
                using (var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(RuntimeSqlContext).Assembly, nameof(RuntimeSqlContext), "Host=localhost")))
                    await new MigrationEngine(catalog, new EngineOptions { ConnectionString = string.Empty, Log = log, StatisticsPath = snapshot }).PlanAsync();
                Assert.Contains(log.Lines, l => l.StartsWith("info: " + RuntimeSqlCases.RescoreAccounts.Migration) && l.EndsWith("; " + Duration + " (SM0015)"));

                // The compiler, reading the same files its own way, says the same.
                ImmutableArray<Diagnostic> diagnostics = await ProductionImpactTests.AnalyzeAsync(
                    new UnbatchedDataChangeAnalyzer(),
                    "migrationBuilder.Sql(\"UPDATE accounts SET score = score * 2;\");",
                    snapshot,
                    Path.Combine(migrations, "20260101000000_AddIndexes.cs"),
                    new EditorConfigFiles(editorConfigs));
                string message = Assert.Single(diagnostics).GetMessage();
                _output.WriteLine(message);
                Assert.EndsWith("; " + Duration, message);
            }
            finally
            {
                Directory.Delete(outside, recursive: true);
            }
        }

        [Fact]
        public void Global_configs_merge_under_the_editorconfig_sections_as_the_compiler_merges_them()
        {
            string outside = Path.Combine(Path.GetTempPath(), "sm-rates-" + Guid.NewGuid().ToString("N"));
            string project = Path.Combine(outside, "Shop");
            string migrations = Path.Combine(project, "Migrations");
            string models = Path.Combine(project, "Models");
            string docs = Path.Combine(project, "Docs");
            foreach (string directory in new[] { migrations, models, docs })
                Directory.CreateDirectory(directory);
            try
            {
                File.WriteAllText(Path.Combine(project, "Shop.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");
                File.WriteAllText(Path.Combine(project, "Program.cs"), "class Program { }");
                File.WriteAllText(Path.Combine(models, "Order.cs"), "class Order { }");
                string migration = Path.Combine(migrations, "20260101000000_AddIndexes.cs");
                File.WriteAllText(migration, "class AddIndexes { }");

                // What MSBuild hands the compiler: every .editorconfig and .globalconfig in a directory above a compiled file.
                string[] discovered =
                {
                    // Level 100 (the file name's default): loses the scan rate to Models' 150 and the write rate to an editorconfig section; sm.conflict ties.
                    Write(outside, "is_global = true\nsafe_migrations.scan_mb_per_second = 111\nsafe_migrations.write_mb_per_second = 7\nsm.conflict = a\nsm.outer = o\nsm.overridden = global\n", ".globalconfig"),
                    // Above root = true: none of its sections apply.
                    Write(outside, "[*.cs]\nsm.above_root = x\n"),
                    Write(project, "root = true\n\n[*.cs]\nsm.overridden = editorconfig ; the section wins\nsafe_migrations.write_mb_per_second: 90\n"),
                    // In another folder of the project: a global config still applies to every file.
                    Write(models, "is_global = true\nglobal_level = 150\nsafe_migrations.scan_mb_per_second = 222\nsm.level = high\n", ".globalconfig"),
                    // An .editorconfig with is_global is a global config: level 0 unless set; its relative sections never apply.
                    Write(migrations, "is_global = true\nglobal_level = 100\nsm.conflict = b\nsm.level = low\n\n[*.cs]\nsm.section_in_global = s\n"),
                };
                // Not handed to the compiler: a folder without C# files, and a *.globalconfig that is no GlobalAnalyzerConfigFiles item.
                Write(docs, "is_global = true\nsm.docs = d\n", ".globalconfig");
                Write(project, "is_global = true\nglobal_level = 900\nsafe_migrations.scan_mb_per_second = 1\n", "stray.globalconfig");

                var set = AnalyzerConfigSet.Create(discovered.Select(p => AnalyzerConfig.Parse(SourceText.From(File.ReadAllText(p)), p)).ToList(), out ImmutableArray<Diagnostic> warnings);
                ImmutableDictionary<string, string> compiler = set.GetOptionsForSourcePath(migration).AnalyzerOptions;
                IReadOnlyDictionary<string, string> engine = EditorConfigRates.KeysFor(Path.Combine(migrations, "Migration.cs"), project);
                foreach (var (key, value) in compiler.OrderBy(k => k.Key))
                    _output.WriteLine($"{key} = {value}");

                Assert.Equal(compiler.OrderBy(k => k.Key, StringComparer.Ordinal), engine.OrderBy(k => k.Key, StringComparer.Ordinal));
                // The cases, spelled out: the merge above is what they look like.
                Assert.Equal("222", compiler["safe_migrations.scan_mb_per_second"]);
                Assert.Equal("90", compiler["safe_migrations.write_mb_per_second"]);
                Assert.Equal(("o", "editorconfig", "high"), (compiler["sm.outer"], compiler["sm.overridden"], compiler["sm.level"]));
                Assert.False(compiler.ContainsKey("sm.conflict"));
                Assert.Contains(warnings, w => w.Id == "MultipleGlobalAnalyzerKeys");

                string snapshot = Path.Combine(project, StatisticsFile.DefaultFileName);
                EstimateRates rates = EditorConfigRates.Read(snapshot);
                Assert.Equal((222d, 90d), (rates.ScanMegabytesPerSecond, rates.WriteMegabytesPerSecond));
            }
            finally
            {
                Directory.Delete(outside, recursive: true);
            }
        }

        [Fact]
        public void Without_editorconfig_or_with_bad_values_the_defaults_hold()
        {
            string project = Path.Combine(Path.GetTempPath(), "sm-rates-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(project);
            try
            {
                Write(project, "root = true\n[*.cs]\nsafe_migrations.scan_mb_per_second = fast\nsafe_migrations.write_mb_per_second = -3\n");
                EstimateRates rates = EditorConfigRates.Read(Path.Combine(project, StatisticsFile.DefaultFileName));
                Assert.Equal((EstimateRates.DefaultScanMegabytesPerSecond, EstimateRates.DefaultWriteMegabytesPerSecond), (rates.ScanMegabytesPerSecond, rates.WriteMegabytesPerSecond));
            }
            finally
            {
                Directory.Delete(project, recursive: true);
            }
        }

        private static string Write(string directory, string text, string name = ".editorconfig")
        {
            string path = Path.Combine(directory, name);
            File.WriteAllText(path, text);
            return path;
        }

        /// <summary>The .editorconfig files as the compiler reads them (MSBuild hands it every one from the project up).</summary>
        private sealed class EditorConfigFiles : AnalyzerConfigOptionsProvider
        {
            private readonly AnalyzerConfigSet _set;

            public EditorConfigFiles(IEnumerable<string> paths)
                => _set = AnalyzerConfigSet.Create(paths.Select(p => AnalyzerConfig.Parse(SourceText.From(File.ReadAllText(p)), p)).ToList());

            public override AnalyzerConfigOptions GlobalOptions => new Options(_set.GlobalConfigOptions.AnalyzerOptions);

            public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(_set.GetOptionsForSourcePath(tree.FilePath).AnalyzerOptions);

            public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(_set.GetOptionsForSourcePath(textFile.Path).AnalyzerOptions);

            private sealed class Options : AnalyzerConfigOptions
            {
                private readonly ImmutableDictionary<string, string> _values;

                public Options(ImmutableDictionary<string, string> values) => _values = values;

                public override bool TryGetValue(string key, out string value) => _values.TryGetValue(key, out value!);
            }
        }
    }
}
