using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace SafeMigrations.Package.Tests;

/// <summary>
/// The consumer's .editorconfig drives the packaged analyzers in a real <c>dotnet build</c>: a severity raised to
/// error fails the build, and <c>safe_migrations.small_tables</c> exempts a table from lock rules.
/// </summary>
[Collection(PackageCollection.Name)]
public class EditorConfigTests
{
    private readonly PackageFixture _fixture;

    public EditorConfigTests(PackageFixture fixture) => _fixture = fixture;

    [Fact]
    public void Severity_error_in_editorconfig_fails_the_build_with_SM0001()
    {
        var result = BuildVariant("strict", "dotnet_diagnostic.SM0001.severity = error");
        Assert.True(result.ExitCode != 0, $"The build should fail when SM0001 is an error.\n{result}");
        Assert.Contains("error SM0001", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Small_tables_option_exempts_the_table_from_SM0001()
    {
        var result = BuildVariant("small", "safe_migrations.small_tables = Orders");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("SM0001", result.Output, StringComparison.Ordinal);
    }

    /// <summary>Copies the already restored consumer, adds an .editorconfig, and builds the copy.</summary>
    private DotNetCli.Result BuildVariant(string name, string setting) =>
        _fixture.BuildConsumerVariant(name, directory => File.WriteAllText(Path.Combine(directory, ".editorconfig"), "root = true\n\n[*.cs]\n" + setting + "\n"));
}
