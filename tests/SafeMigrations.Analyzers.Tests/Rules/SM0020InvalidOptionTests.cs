using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using SafeMigrations.Analyzers.Rules;
using SafeMigrations.Analyzers.Tests.Verifiers;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistorySource;

namespace SafeMigrations.Analyzers.Tests.Rules;

/// <summary>SM0020: a safe_migrations key that is no option, or a value the analyzers cannot read, is said once.</summary>
public class SM0020InvalidOptionTests
{
    private const string Keys = "safe_migrations.analyze_down, safe_migrations.hot_table_writes_per_second, safe_migrations.postgres_version, "
                                + "safe_migrations.scan_mb_per_second, safe_migrations.small_table_rows, safe_migrations.small_tables, safe_migrations.start_after, "
                                + "safe_migrations.statistics_max_age_days, safe_migrations.write_mb_per_second";

    private static Task VerifyAsync(string config, params DiagnosticResult[] expected) =>
        VerifyAsync(("/.editorconfig", "root = true\n\n[*.cs]\n" + config + "\n"), expected);

    private static Task VerifyAsync((string Path, string Text) configFile, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerVerifier<InvalidOptionAnalyzer>.Test();
        test.TestState.Sources.Add(("/0/AppDbContext.cs", Context));
        test.TestState.Sources.Add(("/0/20240101000000_Initial.cs", Migration("20240101000000_Initial", string.Empty)));
        test.TestState.Sources.Add(("/0/20240102000000_Second.cs", Migration("20240102000000_Second", string.Empty)));
        test.TestState.AnalyzerConfigFiles.Add(configFile);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    private static DiagnosticResult Problem(string key, string value, string problem) =>
        new DiagnosticResult("SM0020", DiagnosticSeverity.Warning).WithNoLocation().WithMessage(key + " = '" + value + "' " + problem);

    [Theory]
    [InlineData("safe_migrations.postgres_version", "15.2", "is not a PostgreSQL major version: write one such as 15 (the default, 12, is used meanwhile)")]
    [InlineData("safe_migrations.postgres_version", "8", "is not a PostgreSQL major version: write one such as 15 (the default, 12, is used meanwhile)")]
    [InlineData("safe_migrations.analyze_down", "yes", "is neither true nor false (false is used meanwhile)")]
    [InlineData("safe_migrations.start_after", "20240102 Second", "is neither a migration id (as in [Migration(\"...\")]) nor a 14-digit timestamp: every migration is checked meanwhile")]
    [InlineData("safe_migrations.small_table_rows", "ten thousand", "is not a number of at least 0 (the default, 10000, is used meanwhile)")]
    [InlineData("safe_migrations.statistics_max_age_days", "-1", "is not a number of at least 0 (the default, 30, is used meanwhile)")]
    [InlineData("safe_migrations.hot_table_writes_per_second", "200/s", "is not a number of at least 0 (the default, not set, is used meanwhile)")]
    [InlineData("safe_migrations.scan_mb_per_second", "0", "is not a number above 0 (the default, 125 MB/s, is used meanwhile)")]
    [InlineData("safe_migrations.write_mb_per_second", "fast", "is not a number above 0 (the default, 60 MB/s, is used meanwhile)")]
    public async Task An_unreadable_value_is_reported_with_what_is_used_instead(string key, string value, string problem)
    {
        await VerifyAsync(key + " = " + value, Problem(key, value, problem));
    }

    [Fact]
    public async Task A_misspelled_key_is_reported_with_the_real_ones()
    {
        await VerifyAsync(
            "safe_migrations.postgress_version = 15",
            Problem("safe_migrations.postgress_version", "15", "is not a SafeMigrations option, so it changes nothing; the options are " + Keys));
    }

    [Fact]
    public async Task A_start_after_id_that_names_no_migration_is_reported()
    {
        await VerifyAsync(
            "safe_migrations.start_after = 20240102000000_Secnod",
            Problem("safe_migrations.start_after", "20240102000000_Secnod", "names no migration of this project, so every migration is checked: write the id of the last migration already deployed, as in its [Migration(\"...\")], or its 14-digit timestamp alone"));
    }

    [Fact]
    public async Task Readable_values_are_not_reported()
    {
        await VerifyAsync("""
            safe_migrations.postgres_version = 15
            safe_migrations.analyze_down = TRUE
            safe_migrations.start_after = 20240102000000_Second
            safe_migrations.small_tables = countries, config.settings
            safe_migrations.small_table_rows = 0
            safe_migrations.statistics_max_age_days = 7.5
            safe_migrations.hot_table_writes_per_second = 12.5
            safe_migrations.scan_mb_per_second = 250
            safe_migrations.write_mb_per_second = 80
            dotnet_diagnostic.SM0001.severity = error
            """);
    }

    [Fact]
    public async Task A_date_that_is_no_timestamp_is_taken_as_an_id_and_names_no_migration()
    {
        await VerifyAsync(
            "safe_migrations.start_after = 2024-01-02",
            Problem("safe_migrations.start_after", "2024-01-02", "names no migration of this project, so every migration is checked: write the id of the last migration already deployed, as in its [Migration(\"...\")], or its 14-digit timestamp alone"));
    }

    [Fact]
    public async Task A_timestamp_needs_no_migration_of_that_second()
    {
        await VerifyAsync("safe_migrations.start_after = 20240101120000");
    }

    [Fact]
    public async Task The_msbuild_property_is_checked_like_the_key()
    {
        await VerifyAsync(
            ("/0/Project.GeneratedMSBuildEditorConfig.editorconfig", "is_global = true\nbuild_property.SafeMigrationsStartAfter = 20240103000000_Third\n"),
            Problem("SafeMigrationsStartAfter", "20240103000000_Third", "names no migration of this project, so every migration is checked: write the id of the last migration already deployed, as in its [Migration(\"...\")], or its 14-digit timestamp alone"));
    }

    [Fact]
    public async Task An_empty_msbuild_property_is_not_set()
    {
        await VerifyAsync(("/0/Project.GeneratedMSBuildEditorConfig.editorconfig", "is_global = true\nbuild_property.SafeMigrationsStartAfter = \n"));
    }

    [Fact]
    public async Task A_global_config_is_checked_too()
    {
        await VerifyAsync(
            ("/.globalconfig", "is_global = true\nsafe_migrations.analyze_down = on\n"),
            Problem("safe_migrations.analyze_down", "on", "is neither true nor false (false is used meanwhile)"));
    }

    [Fact]
    public async Task Without_ef_core_nothing_is_reported()
    {
        var test = new CSharpAnalyzerVerifier<InvalidOptionAnalyzer>.Test(withEf: false) { TestCode = "class A { }" };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\nsafe_migrations.postgres_version = x\n"));
        await test.RunAsync(CancellationToken.None);
    }
}
