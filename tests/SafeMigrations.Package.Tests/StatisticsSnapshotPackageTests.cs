using System;
using System.IO;

namespace SafeMigrations.Package.Tests;

/// <summary>
/// The package's targets hand the statistics snapshot to the packaged analyzers in a real <c>dotnet build</c>: by its
/// conventional name in the project directory, or from <c>SafeMigrationsStatisticsFile</c>.
/// </summary>
[Collection(PackageCollection.Name)]
public class StatisticsSnapshotPackageTests
{
    private readonly PackageFixture _fixture;

    public StatisticsSnapshotPackageTests(PackageFixture fixture) => _fixture = fixture;

    private static string Snapshot(long orderRows) => $$"""
        {
          "formatVersion": 1,
          "takenAt": "{{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd'T'HH:mm:ss'Z'}}",
          "serverVersionNum": 160004,
          "intervalSeconds": 0,
          "tables": [
            { "schema": "public", "name": "Orders", "estimatedRows": {{orderRows}}, "heapBytes": {{orderRows * 300}}, "indexBytes": {{orderRows * 50}} }
          ]
        }
        """;

    [Fact]
    public void A_snapshot_by_its_conventional_name_exempts_a_small_table()
    {
        var result = BuildVariant("stats-small", "safemigrations.stats.json", Snapshot(250));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("SM0001", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_named_by_the_property_puts_the_table_size_into_the_warning()
    {
        var result = BuildVariant("stats-property", Path.Combine("stats", "production.json"), Snapshot(4_200_000), "-p:SafeMigrationsStatisticsFile=stats/production.json");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning SM0001", result.Output, StringComparison.Ordinal);
        Assert.Contains("production estimate: 'Orders' has ~4.2M rows, 1.3 GB + 210 MB of indexes", result.Output, StringComparison.Ordinal);
    }

    /// <summary>Copies the already restored consumer, writes the snapshot at <paramref name="relativePath"/>, and builds the copy.</summary>
    private DotNetCli.Result BuildVariant(string name, string relativePath, string snapshot, params string[] properties) =>
        _fixture.BuildConsumerVariant(
            name,
            directory =>
            {
                var path = Path.Combine(directory, relativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, snapshot);
            },
            properties);
}
