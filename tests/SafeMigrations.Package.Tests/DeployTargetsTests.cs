using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Testing;
using Xunit.Abstractions;

namespace SafeMigrations.Package.Tests;

/// <summary>
/// The deploy flow a user runs: <c>dotnet build -t:SafeMigrationsPlan|Apply|Status</c> on the consumer project, with
/// the task, targets and runner from the packed .nupkg, against a throwaway PostgreSQL.
/// </summary>
[Collection(PackageCollection.Name)]
public class DeployTargetsTests : IClassFixture<PostgresServerFixture>
{
    private const string Secret = "Sup3r-s3cret-pw";

    private readonly PackageFixture _package;
    private readonly PostgresServerFixture _server;
    private readonly ITestOutputHelper _output;

    public DeployTargetsTests(PackageFixture package, PostgresServerFixture server, ITestOutputHelper output)
    {
        _package = package;
        _server = server;
        _output = output;
    }

    [Fact]
    public void Plan_needs_no_database_and_shows_the_safe_rewrites()
    {
        var plan = Build(connection: null, "-t:SafeMigrationsPlan");

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("20240201000000_AddOrderCustomerIndex step 1 (create index \"IX_Orders_CustomerId\" concurrently) [expand]", plan.Output, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX CONCURRENTLY \"IX_Orders_CustomerId\" ON \"Orders\" (\"CustomerId\");", plan.Output, StringComparison.Ordinal);
        Assert.Matches("20240315000000_AddOrderCustomerForeignKey step \\d+ \\(add foreign key \"FK_Orders_Customers_CustomerId\" NOT VALID\\)", plan.Output);
        Assert.DoesNotContain("error SM", plan.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_all_phases_then_status_and_a_bad_connection_fails_with_SM1001()
    {
        await using TestDatabase database = await _server.CreateDatabaseAsync();
        // The fixture's server trusts local connections; the password is there to prove it never reaches the output.
        string connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = Secret }.ConnectionString;

        var apply = Build(connection, "-t:SafeMigrationsApply", "-p:SafeMigrationsPhase=All", "-p:SafeMigrationsLockTimeout=1500");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.DoesNotContain(Secret, apply.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("error SM", apply.Output, StringComparison.Ordinal);

        Assert.True(await database.ScalarAsync<bool>(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'IX_Orders_CustomerId'"),
            "IX_Orders_CustomerId is missing or invalid.");
        Assert.True(await database.ScalarAsync<bool>(
            "SELECT convalidated FROM pg_constraint WHERE conname = 'FK_Orders_Customers_CustomerId' AND contype = 'f'"),
            "FK_Orders_Customers_CustomerId is missing or not validated.");
        var history = (await database.RowsAsync("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\""))
            .Select(r => (string)r[0]!)
            .ToList();
        Assert.Equal(ConsumerProject.MigrationIds, history);
        // Contract ran: the legacy column and the old table are gone.
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'Orders' AND column_name = 'LegacyCode'"));
        Assert.Null(await database.ScalarAsync<string>("SELECT to_regclass('\"OldOrders\"')::text"));

        // -v:diag: the environment variable (how this helper passes the string) stays out of even the most verbose log.
        var status = Build(connection, "-t:SafeMigrationsStatus", "-v:diag");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("20240315000000_AddOrderCustomerForeignKey: applied", status.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, status.Output, StringComparison.Ordinal);

        // SafeMigrationsLockRetries reaches the runner's --lock-retries, which refuses a value that is not a count.
        var retries = Build(connection, "-t:SafeMigrationsApply", "-p:SafeMigrationsLockRetries=many");
        Assert.True(retries.ExitCode != 0, retries.ToString());
        Assert.Contains("error SM1001: --lock-retries must be a whole number from 0 to 1000 (retries after the first attempt), not 'many'", retries.Output, StringComparison.Ordinal);

        string wrongPort = new NpgsqlConnectionStringBuilder(connection) { Port = 1, Timeout = 3 }.ConnectionString;
        var failed = Build(wrongPort, "-t:SafeMigrationsApply");
        Assert.True(failed.ExitCode != 0, failed.ToString());
        Assert.Contains("error SM1001", failed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, failed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_string_cut_at_semicolons_by_MSBuild_fails_with_SM1001_and_an_escaped_one_works()
    {
        await using TestDatabase database = await _server.CreateDatabaseAsync();
        var parts = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        string[] pairs = { $"Host={parts.Host}", $"Port={parts.Port}", $"Database={database.Name}", $"Username={parts.Username}", $"Password={Secret}" };

        // MSBuild splits this at ';': the task gets "Host=..." and Port, Database, Username, Password become global properties.
        var split = Build(connection: null, "-t:SafeMigrationsApply", "-p:SafeMigrationsConnection=" + string.Join(";", pairs));
        Assert.True(split.ExitCode != 0, split.ToString());
        Assert.Contains("error SM1001: SafeMigrations: SafeMigrationsConnection was cut at ';' by MSBuild", split.Output, StringComparison.Ordinal);
        Assert.Contains("SAFEMIGRATIONS_CONNECTION environment variable", split.Output, StringComparison.Ordinal);
        Assert.Contains("%3B", split.Output, StringComparison.Ordinal);
        Assert.Null(await database.ScalarAsync<string>("SELECT to_regclass('\"__EFMigrationsHistory\"')::text"));
        Assert.Null(await database.ScalarAsync<string>("SELECT to_regnamespace('safemigrations')::text"));

        // The documented escape: every ';' as %3B arrives whole, and the first line names the target.
        var escaped = Build(connection: null, "-t:SafeMigrationsStatus", "-p:SafeMigrationsConnection=" + string.Join("%3B", pairs));
        Assert.True(escaped.ExitCode == 0, escaped.ToString());
        Assert.Contains($"target: host={parts.Host} port={parts.Port} database={database.Name} user={parts.Username}", escaped.Output, StringComparison.Ordinal);

        Assert.DoesNotContain(Secret, split.Output + escaped.Output, StringComparison.Ordinal);
        byte[] secret = System.Text.Encoding.UTF8.GetBytes(Secret);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(_package.ConsumerDirectory, "obj"), "*", SearchOption.AllDirectories))
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(secret) < 0, "the password is in " + file);
    }

    [Fact]
    public void Verify_replays_the_history_on_a_throwaway_PostgreSQL_and_writes_the_reports()
    {
        // Held lock times are measured by the client: a tolerant budget keeps a loaded CI machine from failing a brief
        // lock (unsafe steps fail on their scans and rewrites whatever the budget).
        var verify = Build(connection: null, "-t:SafeMigrationsVerify", "-p:SafeMigrationsLockBudget=1000");

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("verify passed", verify.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("error SM", verify.Output, StringComparison.Ordinal);
        var report = Path.Combine(_package.ConsumerDirectory, "obj", "safemigrations-verify.md");
        Assert.Contains("20240315000000_AddOrderCustomerForeignKey", File.ReadAllText(report), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.ChangeExtension(report, ".sarif")), "No SARIF report next to " + report);
    }

    /// <summary>
    /// <c>dotnet build</c> of the consumer with extra arguments; the connection string only ever travels in
    /// <c>SAFEMIGRATIONS_CONNECTION</c>, as a deploy pipeline would pass a secret.
    /// </summary>
    private DotNetCli.Result Build(string? connection, params string[] arguments)
    {
        _package.EnsureConsumerBuilt();
        var result = DotNetCli.Run(
            _package.ConsumerDirectory,
            new Dictionary<string, string?>
            {
                ["NUGET_PACKAGES"] = Path.Combine(_package.Root, "nuget-packages"),
                // Empty, not absent: a variable set on the test machine must not leak into the plan run.
                ["SAFEMIGRATIONS_CONNECTION"] = connection ?? string.Empty,
            },
            TimeSpan.FromMinutes(4),
            new[] { "build", "Consumer.csproj", "-c", "Debug", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off", "-clp:NoSummary" }
                .Concat(arguments)
                .ToArray());
        _output.WriteLine($"dotnet build {string.Join(' ', arguments)}: {result}");
        return result;
    }
}
