using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Testing;
using Xunit.Abstractions;

namespace SafeMigrations.Package.Tests;

/// <summary>
/// The .NET tool and the bundle, end to end: the tool packed and installed from the local feed, run as
/// <c>dotnet safemigrations</c> on the consumer project against a real PostgreSQL, and a bundle it makes run from a
/// directory holding nothing else, with neither SDK nor source.
/// </summary>
[Collection(PackageCollection.Name)]
public class ToolTests : IClassFixture<PostgresServerFixture>
{
    private const string Secret = "T00l-s3cret-pw";

    private readonly PackageFixture _package;
    private readonly PostgresServerFixture _server;
    private readonly ITestOutputHelper _output;

    public ToolTests(PackageFixture package, PostgresServerFixture server, ITestOutputHelper output)
    {
        _package = package;
        _server = server;
        _output = output;
    }

    [Fact]
    public async Task Tool_builds_the_project_plans_applies_expand_then_contract_and_shows_status()
    {
        _package.EnsureConsumerBuilt();
        await using TestDatabase database = await _server.CreateDatabaseAsync();
        string connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = Secret }.ConnectionString;

        // No connection: plan works offline, after building the project itself.
        var plan = Tool(null, "plan");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("info: building ", plan.Output, StringComparison.Ordinal);
        Assert.Contains("20240201000000_AddOrderCustomerIndex step 1 (create index \"IX_Orders_CustomerId\" concurrently) [expand]", plan.Output, StringComparison.Ordinal);

        var expand = Tool(connection, "apply", "--phase", "Expand", "--lock-timeout", "1500", "--no-build");
        Assert.True(expand.ExitCode == 0, expand.ToString());
        Assert.Contains($"target: host=", expand.Output, StringComparison.Ordinal);
        Assert.True(await database.ScalarAsync<bool>(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'IX_Orders_CustomerId'"),
            "IX_Orders_CustomerId is missing or invalid after expand.");
        // Contract has not run: the column it drops is still there.
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'Orders' AND column_name = 'LegacyCode'"));

        var contract = Tool(connection, "apply", "--phase", "Contract", "--no-build");
        Assert.True(contract.ExitCode == 0, contract.ToString());
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'Orders' AND column_name = 'LegacyCode'"));
        Assert.Null(await database.ScalarAsync<string>("SELECT to_regclass('\"OldOrders\"')::text"));

        var status = Tool(connection, "status", "--no-build");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("20240501000000_DropOldOrders: applied", status.Output, StringComparison.Ordinal);

        // Under GitHub Actions the markdown report goes to the job summary.
        string summary = Path.Combine(_package.Root, "step-summary-" + Guid.NewGuid().ToString("N")[..8] + ".md");
        var github = _package.RunTool(connection, new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = summary, ["GITHUB_WORKSPACE"] = _package.ConsumerDirectory }, "status", "--no-build");
        _output.WriteLine($"dotnet safemigrations status (GitHub Actions): {github}");
        Assert.True(github.ExitCode == 0, github.ToString());
        Assert.True(File.Exists(summary), "no job summary was written: " + github);
        string markdown = File.ReadAllText(summary);
        Assert.Contains("# SafeMigrations status report", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, markdown, StringComparison.Ordinal);

        Assert.DoesNotContain(Secret, plan.Output + expand.Output + contract.Output + status.Output + github.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("error: SM", expand.Output + contract.Output + status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Tool_refuses_a_connection_on_the_command_line_and_writes_the_phased_scripts_without_a_database()
    {
        var connection = Tool(null, "apply", "--connection", $"Host=db;Password={Secret}", "--no-build");
        Assert.True(connection.ExitCode == 1, connection.ToString());
        Assert.Contains("error: SM1001: --connection is not accepted", connection.Output, StringComparison.Ordinal);
        Assert.Contains("SAFEMIGRATIONS_CONNECTION", connection.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, connection.Output, StringComparison.Ordinal);

        _package.EnsureConsumerBuilt();
        string scripts = Path.Combine(_package.Root, "scripts-" + Guid.NewGuid().ToString("N")[..8]);
        var script = Tool(null, "script", "--output", scripts, "--no-build");
        Assert.True(script.ExitCode == 0, script.ToString());
        Assert.Contains("CREATE INDEX CONCURRENTLY", File.ReadAllText(Path.Combine(scripts, "expand.sql")), StringComparison.Ordinal);
        Assert.Contains("__EFMigrationsHistory", File.ReadAllText(Path.Combine(scripts, "expand.sql")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(scripts, "contract.sql")), script.ToString());

        var phase = Tool(null, "plan", "--phase", "Sideways", "--no-build");
        Assert.True(phase.ExitCode == 1, phase.ToString());
        Assert.Contains("error: SM1001: --phase must be Expand, Contract or All, not 'Sideways'", phase.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bundle_runs_expand_rollback_contract_and_status_from_an_empty_directory_without_the_SDK()
    {
        _package.EnsureConsumerBuilt();
        string bundleDirectory = Path.Combine(_package.Root, "bundle-out");
        var bundle = Tool(null, "bundle", "--runtime", "linux-x64", "--output", bundleDirectory, "--no-build");
        Assert.True(bundle.ExitCode == 0, bundle.ToString());

        // Nothing but the bundle: no SDK, no runtime, no source, no app folder.
        string empty = Directory.CreateDirectory(Path.Combine(_package.Root, "cd-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        string executable = Path.Combine(empty, "safemigrations-bundle");
        File.Copy(Path.Combine(bundleDirectory, "safemigrations-bundle"), executable);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(executable, File.GetUnixFileMode(Path.Combine(bundleDirectory, "safemigrations-bundle")));
        }
        Assert.Single(Directory.GetFileSystemEntries(empty));

        await using TestDatabase database = await _server.CreateDatabaseAsync();
        string connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = Secret }.ConnectionString;

        var expand = Bundle(executable, connection, "apply", "--phase", "Expand");
        Assert.True(expand.ExitCode == 0, expand.ToString());
        Assert.True(await database.ScalarAsync<bool>(
            "SELECT convalidated FROM pg_constraint WHERE conname = 'FK_Orders_Customers_CustomerId' AND contype = 'f'"),
            "FK_Orders_Customers_CustomerId is missing or not validated after expand.");
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'Orders' AND column_name = 'LegacyCode'"));

        // Rollback in CD: the foreign key's expand is undone, and applied again.
        var rollback = Bundle(executable, connection, "rollback", "--target", "AddCustomers");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'FK_Orders_Customers_CustomerId'"));
        var again = Bundle(executable, connection, "apply", "--phase", "Expand");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'FK_Orders_Customers_CustomerId'"));

        var contract = Bundle(executable, connection, "apply", "--phase", "Contract");
        Assert.True(contract.ExitCode == 0, contract.ToString());
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'Orders' AND column_name = 'LegacyCode'"));

        var status = Bundle(executable, connection, "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("20240501000000_DropOldOrders: applied", status.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, expand.Output + rollback.Output + again.Output + contract.Output + status.Output, StringComparison.Ordinal);

        var onCommandLine = Bundle(executable, null, "status", "--connection", connection);
        Assert.True(onCommandLine.ExitCode == 1, onCommandLine.ToString());
        Assert.Contains("error: SM1001: --connection is not accepted", onCommandLine.Output, StringComparison.Ordinal);

        var usage = Bundle(executable, null);
        Assert.True(usage.ExitCode == 1, usage.ToString());
        Assert.StartsWith("usage: safemigrations-bundle <plan|apply|status|rollback>", usage.Output, StringComparison.Ordinal);

        var missing = Bundle(executable, null, "status");
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains("error: SM1001: no connection string", missing.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", missing.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", missing.Output, StringComparison.Ordinal);
    }

    private DotNetCli.Result Tool(string? connection, params string[] arguments)
    {
        var result = _package.RunTool(connection, arguments);
        _output.WriteLine($"dotnet safemigrations {string.Join(' ', arguments)}: {result}");
        return result;
    }

    private DotNetCli.Result Bundle(string executable, string? connection, params string[] arguments)
    {
        var result = DotNetCli.RunProgram(
            executable,
            Path.GetDirectoryName(executable)!,
            new Dictionary<string, string?>
            {
                ["SAFEMIGRATIONS_CONNECTION"] = connection ?? string.Empty,
                // Nothing of the machine's .NET may be found or needed.
                ["DOTNET_ROOT"] = "/nonexistent",
                ["PATH"] = "/nonexistent",
            },
            TimeSpan.FromMinutes(2),
            arguments);
        _output.WriteLine($"safemigrations-bundle {string.Join(' ', arguments)}: {result}");
        return result;
    }
}
