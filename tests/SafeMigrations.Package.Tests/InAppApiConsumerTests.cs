using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Testing;
using Xunit.Abstractions;

namespace SafeMigrations.Package.Tests;

/// <summary>
/// The in-app API from the packed SafeMigrations.Engine package: the consumer project becomes an app that calls
/// <c>context.Database.MigrateSafelyAsync</c> at start-up, restored from the local feed, run against a throwaway PostgreSQL.
/// </summary>
[Collection(PackageCollection.Name)]
public class InAppApiConsumerTests : IClassFixture<PostgresServerFixture>
{
    private const string Secret = "In-app-s3cret";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(8);

    private readonly PackageFixture _package;
    private readonly PostgresServerFixture _server;
    private readonly ITestOutputHelper _output;

    public InAppApiConsumerTests(PackageFixture package, PostgresServerFixture server, ITestOutputHelper output)
    {
        _package = package;
        _server = server;
        _output = output;
    }

    private const string Program = """
        using Consumer;
        using Microsoft.EntityFrameworkCore;
        using Microsoft.Extensions.Logging;
        using SafeMigrations;

        // The Deploying → from inside the app snippet of the README, with a console logger for the test to read.
        string connection = Environment.GetEnvironmentVariable("CONSUMER_DB") ?? throw new InvalidOperationException("CONSUMER_DB is not set");
        var phase = Enum.Parse<MigrationPhase>(args[0]);
        using var loggers = new LoggerFactory(new[] { new LineLoggerProvider() });
        var options = new DbContextOptionsBuilder<ShopContext>().UseNpgsql(connection).UseLoggerFactory(loggers).Options;
        await using var context = new ShopContext(options);
        try
        {
            SafeMigrationResult result = await context.Database.MigrateSafelyAsync(phase, new SafeMigrationOptions { LockTimeout = TimeSpan.FromSeconds(1) });
            Console.WriteLine($"result: {result.Outcome}; applied [{string.Join(",", result.AppliedMigrations)}]; contracted [{string.Join(",", result.ContractedMigrations)}]; findings {result.Findings.Count}");
            return 0;
        }
        catch (SafeMigrationsException failure)
        {
            Console.WriteLine("failed: " + failure.Message);
            return 1;
        }

        sealed class LineLoggerProvider : ILoggerProvider
        {
            public ILogger CreateLogger(string category) => new LineLogger(category);

            public void Dispose()
            {
            }
        }

        sealed class LineLogger(string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel level) => category.StartsWith("SafeMigrations", StringComparison.Ordinal);

            public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(level))
                    Console.WriteLine($"[{category}] {level}: {formatter(state, exception)}");
            }
        }
        """;

    [Fact]
    public async Task An_app_referencing_the_engine_package_expands_then_contracts_from_inside()
    {
        _package.EnsurePacked();
        string packages = Path.GetDirectoryName(_package.PackagePath)!;
        var pack = DotNetCli.Run(
            Path.Combine(_package.Root, "repo"),
            new Dictionary<string, string?>(),
            StepTimeout,
            "pack", Path.Combine("src", "SafeMigrations.Engine.Package", "SafeMigrations.Engine.Package.csproj"),
            "-c", "Release", "-o", packages, $"-p:Version={_package.Version}", "-p:NoBuild=true",
            "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off");
        _output.WriteLine($"pack: exit code {pack.ExitCode} after {pack.Elapsed.TotalSeconds:F1}s");
        string enginePackage = Path.Combine(packages, $"SafeMigrations.Engine.{_package.Version}.nupkg");
        Assert.True(pack.ExitCode == 0 && File.Exists(enginePackage), pack.ToString());

        // The engine and its scanner in lib/, nothing else; the analyzers package of the same version as a dependency.
        using (ZipArchive archive = ZipFile.OpenRead(enginePackage))
        {
            Assert.Equal(
                new[] { "lib/net8.0/SafeMigrations.Engine.dll", "lib/net8.0/SafeMigrations.Engine.xml", "lib/net8.0/SafeMigrations.Sql.dll", "lib/net8.0/SafeMigrations.Sql.xml" },
                archive.Entries.Select(e => e.FullName).Where(n => n.StartsWith("lib/", StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal));
            using var nuspec = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            string manifest = nuspec.ReadToEnd();
            Assert.Contains($"<dependency id=\"SafeMigrations\" version=\"{_package.Version}\"", manifest, StringComparison.Ordinal);
            Assert.Contains("<dependency id=\"Npgsql\" version=\"8.0.3\"", manifest, StringComparison.Ordinal);
        }

        // The consumer project, turned into an app that migrates itself.
        string app = Path.Combine(_package.Root, "consumer-inapp");
        RepositoryLayout.CopyTree(_package.ConsumerDirectory, app);
        string project = Path.Combine(app, "Consumer.csproj");
        string csproj = File.ReadAllText(project);
        string analyzers = $"<PackageReference Include=\"SafeMigrations\" Version=\"{_package.Version}\" />";
        Assert.Contains(analyzers, csproj, StringComparison.Ordinal);
        csproj = csproj
            .Replace("<Nullable>enable</Nullable>", "<Nullable>enable</Nullable>\n    <OutputType>Exe</OutputType>", StringComparison.Ordinal)
            .Replace(analyzers, analyzers + $"\n    <PackageReference Include=\"SafeMigrations.Engine\" Version=\"{_package.Version}\" />", StringComparison.Ordinal);
        File.WriteAllText(project, csproj);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

        await using TestDatabase database = await _server.CreateDatabaseAsync();
        string connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = Secret }.ConnectionString;
        var environment = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = Path.Combine(_package.Root, "nuget-packages"),
            ["CONSUMER_DB"] = connection,
        };

        var build = DotNetCli.Run(app, environment, StepTimeout, "build", "Consumer.csproj", "-c", "Debug", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off", "-clp:NoSummary");
        _output.WriteLine($"build: exit code {build.ExitCode} after {build.Elapsed.TotalSeconds:F1}s");
        Assert.True(build.ExitCode == 0, build.ToString());

        var expand = DotNetCli.Run(app, environment, StepTimeout, "run", "--project", "Consumer.csproj", "-c", "Debug", "--no-build", "--", "Expand");
        _output.WriteLine(expand.ToString());
        Assert.True(expand.ExitCode == 0, expand.ToString());
        Assert.Contains($"result: Completed; applied [{string.Join(",", ConsumerProject.MigrationIds)}]; contracted []", expand.Output, StringComparison.Ordinal);
        Assert.Contains("[SafeMigrations.Apply] Information: 20240201000000_AddOrderCustomerIndex step 1 (create index \"IX_Orders_CustomerId\" concurrently): running", expand.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, expand.Output, StringComparison.Ordinal);
        Assert.True(await database.ScalarAsync<bool>(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'IX_Orders_CustomerId'"),
            "IX_Orders_CustomerId is missing or invalid.");
        // Expand only: the legacy column and the old table are still there for the running app version.
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'Orders' AND column_name = 'LegacyCode'"));
        Assert.NotNull(await database.ScalarAsync<string>("SELECT to_regclass('\"OldOrders\"')::text"));

        var contract = DotNetCli.Run(app, environment, StepTimeout, "run", "--project", "Consumer.csproj", "-c", "Debug", "--no-build", "--", "Contract");
        _output.WriteLine(contract.ToString());
        Assert.True(contract.ExitCode == 0, contract.ToString());
        Assert.Contains("result: Completed; applied []; contracted [20240401000000_DropLegacyColumns,20240501000000_DropOldOrders]", contract.Output, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'Orders' AND column_name = 'LegacyCode'"));
        Assert.Null(await database.ScalarAsync<string>("SELECT to_regclass('\"OldOrders\"')::text"));
        var history = (await database.RowsAsync("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\"")).Select(r => (string)r[0]!).ToList();
        Assert.Equal(ConsumerProject.MigrationIds, history);
    }
}
