using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using SafeMigrations.Testing;
using Xunit.Abstractions;

namespace SafeMigrations.Package.Tests;

/// <summary>
/// The installed tool and the statistics snapshot: <c>dotnet safemigrations stats</c> writes it next to the project,
/// <c>plan</c> picks it up by its conventional name and names the table's size, and a bad or missing file is a coded
/// message, never a stack trace. The consumer directory is shared: each test removes the file it wrote.
/// </summary>
[Collection(PackageCollection.Name)]
public class ToolStatisticsTests : IClassFixture<PostgresServerFixture>
{
    private const string StatsFileName = "safemigrations.stats.json";

    private readonly PackageFixture _package;
    private readonly PostgresServerFixture _server;
    private readonly ITestOutputHelper _output;

    public ToolStatisticsTests(PackageFixture package, PostgresServerFixture server, ITestOutputHelper output)
    {
        _package = package;
        _server = server;
        _output = output;
    }

    private string Snapshot => Path.Combine(_package.ConsumerDirectory, StatsFileName);

    [Fact]
    public async Task Stats_writes_the_snapshot_next_to_the_project_and_plan_names_its_row_count()
    {
        _package.EnsureConsumerBuilt();
        await using TestDatabase database = await _server.CreateDatabaseAsync();
        // Production as the snapshot sees it: catalogs and statistics only, so the table alone is enough.
        await database.ExecuteAsync("""
            CREATE TABLE "Orders" ("Id" bigint PRIMARY KEY, "CustomerId" bigint NOT NULL, "LegacyCode" text);
            INSERT INTO "Orders" SELECT g, g % 7 FROM generate_series(1, 777) AS g;
            ANALYZE "Orders";
            """);
        try
        {
            var stats = Tool(database.ConnectionString, "stats", "--interval", "0", "--no-build");
            Assert.True(stats.ExitCode == 0, stats.ToString());
            Assert.True(File.Exists(Snapshot), "stats did not write the snapshot into the project directory: " + stats);
            Assert.Contains($"written to {Snapshot}", stats.Output, StringComparison.Ordinal);

            // No --statistics and no connection: the tool hands the runner the project's snapshot.
            var plan = Tool(null, "plan", "--no-build");
            Assert.True(plan.ExitCode == 0, plan.ToString());
            Assert.Contains(
                $"20240201000000_AddOrderCustomerIndex step 1 (create index \"IX_Orders_CustomerId\" concurrently) production: 'Orders' has 777 rows, ",
                plan.Output,
                StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(Snapshot);
        }

        var without = Tool(null, "plan", "--no-build");
        Assert.True(without.ExitCode == 0, without.ToString());
        Assert.DoesNotContain(" production: ", without.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_under_GitHub_Actions_with_a_job_summary_writes_the_snapshot()
    {
        // The tool adds a temporary --report for the job summary; stats writes none and the runner refuses the option.
        _package.EnsureConsumerBuilt();
        await using TestDatabase database = await _server.CreateDatabaseAsync();
        await database.ExecuteAsync("""CREATE TABLE "Orders" ("Id" bigint PRIMARY KEY); ANALYZE "Orders";""");
        string summary = Path.Combine(_package.Root, "step-summary-" + Guid.NewGuid().ToString("N")[..8] + ".md");
        try
        {
            var stats = _package.RunTool(database.ConnectionString, new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = summary, ["GITHUB_WORKSPACE"] = _package.ConsumerDirectory }, "stats", "--interval", "0", "--no-build");
            _output.WriteLine($"dotnet safemigrations stats (GitHub Actions): {stats}");
            Assert.True(stats.ExitCode == 0, stats.ToString());
            Assert.Contains($"written to {Snapshot}", stats.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(Snapshot);
            File.Delete(summary);
        }
    }

    [Fact]
    public void A_malformed_snapshot_is_a_warning_and_a_missing_one_named_by_statistics_an_error_without_a_stack_trace()
    {
        _package.EnsureConsumerBuilt();
        try
        {
            File.WriteAllText(Snapshot, "{ \"formatVersion\": 1, \"tables\": [ { \"name\": ");
            var malformed = Tool(null, "plan", "--no-build");
            Assert.True(malformed.ExitCode == 0, malformed.ToString());
            Assert.Contains($"warn: SM1001: the statistics snapshot '{Snapshot}' cannot be read (", malformed.Output, StringComparison.Ordinal);
            Assert.Contains("take it again with the stats command", malformed.Output, StringComparison.Ordinal);
            Assert.Contains("20240201000000_AddOrderCustomerIndex step 1 (create index \"IX_Orders_CustomerId\" concurrently) [expand]", malformed.Output, StringComparison.Ordinal);
            AssertNoStackTrace(malformed);
        }
        finally
        {
            File.Delete(Snapshot);
        }

        string missing = Path.Combine(_package.ConsumerDirectory, "stats", "production.json");
        var named = Tool(null, "plan", "--statistics", missing, "--no-build");
        Assert.True(named.ExitCode == 1, named.ToString());
        Assert.Contains($"error: SM1001: the statistics snapshot '{missing}' does not exist; take it with the stats command", named.Output, StringComparison.Ordinal);
        AssertNoStackTrace(named);
    }

    private static void AssertNoStackTrace(DotNetCli.Result result)
    {
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", result.Output, StringComparison.Ordinal);
    }

    private DotNetCli.Result Tool(string? connection, params string[] arguments)
    {
        var result = _package.RunTool(connection, arguments);
        _output.WriteLine($"dotnet safemigrations {string.Join(' ', arguments)}: {result}");
        return result;
    }
}
