using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.Runtime;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Trust
{
    /// <summary>
    /// Odd connection strings through the channels added last: the in-app API (every log category, findings, report,
    /// exception text with inner exceptions), and the runner's command line (an argument and the environment variable
    /// both set; <c>--connection=...</c>; a positional string; stats and script files). No password appears anywhere,
    /// the printed target is the allow-list, and the database printed is the one acted on.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ConnectionSecretChannelTests
    {
        // Quotes and ';' inside, so a naive split or unquote would leave part of it behind.
        private const string Canary = "c4n4ry-5e9d";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ConnectionSecretChannelTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private static ShopContext Context(string connectionString)
            => new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseNpgsql(connectionString).Options);

        private static void AssertNoCanary(IEnumerable<string> texts, string secret = Canary)
        {
            foreach (string text in texts)
                Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public async Task A_password_in_any_spelling_never_reaches_the_in_app_log_result_report_or_exception_and_the_logged_target_is_the_database_used()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var b = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            string target = $"database host={b.Host} port={b.Port} database={database.Name} user={b.Username} ssl=Prefer";
            // The server trusts local connections, so every spelling connects; each names the password differently.
            string[] spellings =
            {
                $"Server={b.Host};Port={b.Port};Database={database.Name};User ID={b.Username};Password=\"{Canary};x='1'\"",
                $"HOST={b.Host};PORT={b.Port};DATABASE={database.Name};USERNAME={b.Username};PWD='{Canary}\";y'",
                $"host={b.Host};port={b.Port};database={database.Name};username={b.Username};pAsSwOrD={Canary}",
                $"Host={b.Host};Port={b.Port};Database={database.Name};Username={b.Username};PSW={Canary};SSL Password={Canary}x",
            };
            string report = Path.Combine(Path.GetTempPath(), "sm-secret-" + Guid.NewGuid().ToString("N") + ".md");
            var texts = new List<string>();
            try
            {
                for (int i = 0; i < spellings.Length; i++)
                {
                    var log = new CapturedLog(_output) { EveryCategory = true };
                    SafeMigrationOptions options = InAppApiTests.Options();
                    options.LoggerFactory = log.Factory;
                    options.ReportPath = report;
                    await using (ShopContext context = Context(spellings[i]))
                    {
                        SafeMigrationResult[] results = i == 0
                            ? new[]
                            {
                                await context.Database.PlanSafeMigrationAsync(MigrationPhase.Expand, options),
                                await context.Database.MigrateSafelyAsync(MigrationPhase.Expand, options),
                                await context.Database.GetSafeMigrationStatusAsync(options),
                                await context.Database.RollbackSafeMigrationAsync(options),
                            }
                            : new[] { await context.Database.GetSafeMigrationStatusAsync(options) };
                        texts.AddRange(results.SelectMany(r => r.Findings.Select(f => f.Message).Concat(r.Steps.Select(s => s.Error ?? string.Empty))));
                    }
                    Assert.All(log.In(SafeMigrationsLogCategories.Apply).Concat(log.In(SafeMigrationsLogCategories.Status)).Where(m => m.StartsWith("SafeMigrations ", StringComparison.Ordinal) && m.Contains(" database ", StringComparison.Ordinal)),
                        m => Assert.EndsWith(target, m));
                    Assert.Contains(log.Entries, e => e.Message.EndsWith(target, StringComparison.Ordinal));
                    texts.AddRange(log.Entries.Select(e => e.Category + " " + e.Message));
                }
                Assert.True(await database.ScalarAsync<bool>("select to_regclass('customers') is not null"), "the database printed is not the one the run acted on");
                texts.Add(File.ReadAllText(report));

                // Failures: a database that does not exist, a port nobody listens on. Coded, and the whole exception text is clean.
                foreach (string failing in new[]
                {
                    $"Host={b.Host};Port={b.Port};Database=sm_missing_{Guid.NewGuid():N};Username={b.Username};Password='{Canary}'",
                    $"Host={b.Host};Port=1;Database={database.Name};Username={b.Username};Password={Canary};Timeout=3",
                })
                {
                    var log = new CapturedLog(_output) { EveryCategory = true };
                    SafeMigrationOptions options = InAppApiTests.Options();
                    options.LoggerFactory = log.Factory;
                    await using ShopContext context = Context(failing);
                    SafeMigrationsException failed = await Assert.ThrowsAsync<SafeMigrationsException>(() => context.Database.MigrateSafelyAsync(MigrationPhase.Expand, options));
                    _output.WriteLine(failed.ToString());
                    Assert.Equal(EngineCodes.Configuration, failed.Code);
                    texts.Add(failed.ToString());
                    texts.AddRange(log.Entries.Select(e => e.Message));
                }
            }
            finally
            {
                File.Delete(report);
            }
            AssertNoCanary(texts);
        }

        [Fact]
        public async Task A_password_equal_to_the_database_name_is_hidden_in_the_in_app_log_and_exception_as_in_the_runner()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string connection = $"{database.ConnectionString};Password={database.Name}";
            var log = new CapturedLog(_output) { EveryCategory = true };
            SafeMigrationOptions options = InAppApiTests.Options("Initial");
            options.LoggerFactory = log.Factory;
            await using (ShopContext context = Context(connection))
                Assert.Equal(new[] { "20240101000000_Initial" }, (await context.Database.MigrateSafelyAsync(MigrationPhase.Expand, options)).AppliedMigrations);
            Assert.Contains(log.In(SafeMigrationsLogCategories.Apply), m => m.Contains(" database=*** ", StringComparison.Ordinal));
            AssertNoCanary(log.Entries.Where(e => e.Category.StartsWith("SafeMigrations", StringComparison.Ordinal)).Select(e => e.Message), database.Name);

            var (exit, lines) = RunnerLaunch.RunWithVariable(_output, typeof(ShopContext), connection, "status");
            Assert.Equal(0, exit);
            Assert.StartsWith("info: target: host=", lines[0]);
            Assert.Contains(" database=*** ", lines[0]);
            AssertNoCanary(lines, database.Name);
        }

        [Fact]
        public async Task The_runner_says_which_connection_it_uses_acts_on_that_database_and_never_repeats_a_connection_given_in_the_wrong_form()
        {
            await using TestDatabase used = await _server.CreateDatabaseAsync();
            await using TestDatabase ignored = await _server.CreateDatabaseAsync();
            var b = new NpgsqlConnectionStringBuilder(used.ConnectionString);
            string withCanary = $"{used.ConnectionString};Password=\"{Canary};z\"";
            string variable = $"{ignored.ConnectionString};PWD={Canary}v";
            string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "sm-channels-" + Guid.NewGuid().ToString("N"))).FullName;
            var everything = new List<string>();
            try
            {
                // --connection and SAFEMIGRATIONS_CONNECTION both set: the argument wins, and the first lines say so.
                var (exit, lines) = RunnerLaunch.RunWithVariable(_output, typeof(ShopContext), variable, "apply", "--connection", withCanary, "--target", "Initial");
                everything.AddRange(lines);
                Assert.Equal(0, exit);
                Assert.Equal($"info: target: host={b.Host} port={b.Port} database={used.Name} user={b.Username} ssl=Prefer", lines[0]);
                Assert.Equal($"info: connection: from --connection; SAFEMIGRATIONS_CONNECTION is set too (host={b.Host} port={b.Port} database={ignored.Name} user={b.Username} ssl=Prefer) and is not used", lines[1]);
                Assert.True(await used.ScalarAsync<bool>("select to_regclass('customers') is not null"));
                Assert.False(await ignored.ScalarAsync<bool>("select to_regclass('customers') is not null or to_regnamespace('safemigrations') is not null"), "the ignored database was touched");

                // The same string from the variable alone: no such line.
                (exit, lines) = RunnerLaunch.RunWithVariable(_output, typeof(ShopContext), withCanary, "status");
                everything.AddRange(lines);
                Assert.Equal(0, exit);
                Assert.DoesNotContain(lines, l => l.StartsWith("info: connection: ", StringComparison.Ordinal));

                // Wrong forms: --connection=..., a positional string, an unknown key spelled like the option. Refused, never repeated.
                foreach (string[] arguments in new[]
                {
                    new[] { "status", "--connection=" + withCanary },
                    new[] { "status", "--connection=" + withCanary, "--phase", "Expand" },
                    new[] { "status", withCanary },
                    new[] { withCanary },
                })
                {
                    (exit, lines) = RunnerLaunch.RunWithVariable(_output, typeof(ShopContext), null, arguments);
                    everything.AddRange(lines);
                    Assert.Equal(1, exit);
                    Assert.StartsWith("error: SM1001: ", lines[0]);
                }

                // Files written from a connection: the statistics snapshot and the phased scripts.
                string stats = Path.Combine(folder, "stats.json");
                (exit, lines) = RunnerLaunch.RunWithVariable(_output, typeof(ShopContext), withCanary, "stats", "--output", stats, "--interval", "0");
                everything.AddRange(lines);
                Assert.Equal(0, exit);
                (exit, lines) = RunnerLaunch.RunWithVariable(_output, typeof(ShopContext), withCanary, "script", "--output", folder);
                everything.AddRange(lines);
                Assert.Equal(0, exit);
                Assert.True(File.Exists(stats) && File.Exists(Path.Combine(folder, "expand.sql")), "stats or script wrote nothing");
                everything.AddRange(Directory.GetFiles(folder).Select(File.ReadAllText));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            AssertNoCanary(everything);
        }
    }
}
