using System;
using System.IO;

namespace SafeMigrations.Package.Tests;

/// <summary>
/// <c>SafeMigrationsAnalysisMode</c> in a real <c>dotnet build</c> of the packaged consumer: Strict makes the flagged
/// migrations (SM0001, SM0008) errors, Default leaves them warnings, and a per-rule severity in the consumer's
/// .editorconfig still wins over the preset.
/// </summary>
[Collection(PackageCollection.Name)]
public class AnalysisModeTests
{
    private readonly PackageFixture _fixture;

    public AnalysisModeTests(PackageFixture fixture) => _fixture = fixture;

    [Fact]
    public void Strict_fails_the_build_with_the_flagged_steps_as_errors()
    {
        var result = _fixture.BuildConsumerVariant("mode-strict", _ => { }, "-p:SafeMigrationsAnalysisMode=Strict");
        Assert.True(result.ExitCode != 0, $"The build should fail in Strict mode.\n{result}");
        Assert.Contains("error SM0001", result.Output, StringComparison.Ordinal);
        Assert.Contains("error SM0008", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning SM0001", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_leaves_the_flagged_steps_warnings()
    {
        var result = _fixture.BuildConsumerVariant("mode-default", _ => { }, "-p:SafeMigrationsAnalysisMode=Default");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning SM0001", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("error SM", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Editorconfig_severity_wins_over_Strict()
    {
        var result = _fixture.BuildConsumerVariant(
            "mode-strict-editorconfig",
            directory => File.WriteAllText(Path.Combine(directory, ".editorconfig"), "root = true\n\n[*.cs]\ndotnet_diagnostic.SM0001.severity = none\n"),
            "-p:SafeMigrationsAnalysisMode=Strict");
        Assert.DoesNotContain("SM0001", result.Output, StringComparison.Ordinal);
        // The preset is still in force for the rules the user left alone.
        Assert.Contains("error SM0008", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_mode_is_a_coded_error()
    {
        var result = _fixture.BuildConsumerVariant("mode-unknown", _ => { }, "-p:SafeMigrationsAnalysisMode=Strikt");
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("error SM1001", result.Output, StringComparison.Ordinal);
        Assert.Contains("'Strikt'", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void SafeMigrationsStartAfter_leaves_the_deployed_migrations_unreported()
    {
        // SM0001 is in 20240201000000_AddOrderCustomerIndex, SM0008 in 20240315000000_AddOrderCustomerForeignKey.
        var result = _fixture.BuildConsumerVariant("start-after", _ => { }, "-p:SafeMigrationsStartAfter=20240301000000_AddCustomers");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("SM0001", result.Output, StringComparison.Ordinal);
        Assert.Contains("warning SM0008", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SM0020", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void SafeMigrationsStartAfter_naming_no_migration_is_said_and_checks_everything()
    {
        var result = _fixture.BuildConsumerVariant("start-after-typo", _ => { }, "-p:SafeMigrationsStartAfter=20240301000000_AddCustomer");
        Assert.Contains("warning SM0020", result.Output, StringComparison.Ordinal);
        Assert.Contains("SafeMigrationsStartAfter = '20240301000000_AddCustomer' names no migration", result.Output, StringComparison.Ordinal);
        Assert.Contains("warning SM0001", result.Output, StringComparison.Ordinal);
    }
}
