using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace SafeMigrations.Package.Tests;

/// <summary>
/// The oldest supported stack: the same consumer on net8.0 with EF Core 8 (Npgsql.EntityFrameworkCore.PostgreSQL
/// 8.0.x). The runtime library (built against EF Core 8) must compile there and the analyzers must report the same.
/// </summary>
[Collection(PackageCollection.Name)]
public class EfCore8ConsumerTests
{
    private const string NpgsqlEfCore8 = "8.0.11";

    private readonly PackageFixture _fixture;

    public EfCore8ConsumerTests(PackageFixture fixture) => _fixture = fixture;

    [Fact]
    public void Consumer_on_EF_Core_8_builds_and_gets_SM0001_on_the_unsafe_migration_only()
    {
        _fixture.EnsureConsumerBuilt();
        var directory = Path.Combine(_fixture.Root, "consumer-ef8");
        // Without obj/: the consumer's restore is for net10.0.
        RepositoryLayout.CopyTree(_fixture.ConsumerDirectory, directory);

        var project = Path.Combine(directory, "Consumer.csproj");
        var csproj = File.ReadAllText(project);
        csproj = csproj.Replace("<TargetFramework>net10.0</TargetFramework>", "<TargetFramework>net8.0</TargetFramework>", StringComparison.Ordinal);
        csproj = Regex.Replace(csproj, "(Include=\"Npgsql.EntityFrameworkCore.PostgreSQL\" Version=\")[^\"]+\"", "${1}" + NpgsqlEfCore8 + "\"");
        Assert.Contains(NpgsqlEfCore8, csproj, StringComparison.Ordinal);
        File.WriteAllText(project, csproj);

        var result = DotNetCli.Run(
            directory,
            new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(_fixture.Root, "nuget-packages") },
            TimeSpan.FromMinutes(8),
            "build", "Consumer.csproj", "-c", "Debug",
            "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off", "-clp:NoSummary");
        Assert.True(result.ExitCode == 0, result.ToString());

        var warnings = Regex.Matches(result.Output, @"(?<file>[^\s(]+)\(\d+,\d+\): warning (?<id>SM\d{4})")
            .Select(m => (File: m.Groups["file"].Value.Replace('\\', '/'), Id: m.Groups["id"].Value))
            .Distinct()
            .ToList();
        Assert.Contains(warnings, w => w.Id == "SM0001" && w.File.EndsWith(ConsumerProject.UnsafeMigrationFile, StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, w => ConsumerProject.SafeMigrationFiles.Any(safe => w.File.EndsWith(safe, StringComparison.Ordinal)));
    }
}
