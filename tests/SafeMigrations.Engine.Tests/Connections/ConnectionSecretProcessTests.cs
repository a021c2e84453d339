using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Connections
{
    /// <summary>
    /// A canary password under every Npgsql synonym, a misspelled key and a URI, through the runner process (launched as
    /// the MSBuild task launches it): the canary appears in no output line, report or SARIF, and the first line names the
    /// target. Strings that must not be connected with stop with SM1001 before anything runs.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ConnectionSecretProcessTests
    {
        private const string Canary = "CANARY-91c4e";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ConnectionSecretProcessTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task A_canary_password_under_every_synonym_is_never_printed_and_the_first_line_names_the_target()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            string expectedTarget = $"info: target: host={builder.Host} port={builder.Port} database={database.Name} user={builder.Username} ssl={builder.SslMode}";
            string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "sm-canary-" + Guid.NewGuid().ToString("N"))).FullName;
            var everything = new List<string>();
            try
            {
                IReadOnlyList<string> keywords = NpgsqlKeywords.PasswordKeywords().ToList();
                Assert.True(keywords.Count >= 4, "expected Password, PSW, PWD and SSL Password: " + string.Join(", ", keywords));
                foreach (string keyword in keywords)
                {
                    string connection = $"{database.ConnectionString};{keyword}={Canary}";
                    var (exit, lines) = Run(new[] { "status", "--connection", connection }, null);
                    everything.AddRange(lines);
                    Assert.Equal(0, exit);
                    Assert.Equal(expectedTarget, lines[0]);
                }

                // Every command once, the string from the environment as the MSBuild task passes it.
                string fromEnvironment = $"{database.ConnectionString};PSW={Canary}";
                string report = Path.Combine(folder, "apply.md");
                foreach (string[] command in new[]
                {
                    new[] { "plan" },
                    new[] { "apply", "--phase", "All", "--report", report },
                    new[] { "status" },
                })
                {
                    var (exit, lines) = Run(command, fromEnvironment);
                    everything.AddRange(lines);
                    Assert.Equal(0, exit);
                    Assert.Equal(expectedTarget, lines[0]);
                }
                Assert.Contains("| database | `" + expectedTarget.Substring("info: target: ".Length) + "` |", File.ReadAllText(report));

                string verifyReport = Path.Combine(folder, "verify.md");
                string sarif = Path.Combine(folder, "verify.sarif");
                string admin = $"{_server.AdminConnectionString};Password={Canary}";
                var (verifyExit, verifyLines) = Run(new[] { "verify", "--report", verifyReport, "--sarif", sarif }, admin);
                everything.AddRange(verifyLines);
                Assert.StartsWith("info: target: throwaway databases created on the server of host=", verifyLines[0]);
                Assert.True(File.Exists(verifyReport) && File.Exists(sarif), "verify wrote no report (exit " + verifyExit + ")");

                foreach (string line in everything)
                    Assert.DoesNotContain(Canary, line);
                foreach (string file in Directory.GetFiles(folder))
                    Assert.DoesNotContain(Canary, File.ReadAllText(file));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        [Fact]
        public async Task Strings_that_must_not_be_connected_with_stop_with_SM1001_before_anything_runs()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            var cases = new (string Connection, string Expected)[]
            {
                ($"{database.ConnectionString};Passwrod={Canary}", "error: SM1001: the connection string has a key Npgsql does not know, 'passwrod' (did you mean 'Password'?)"),
                ($"postgres://{builder.Username}:{Canary}@{builder.Host}:{builder.Port}/{database.Name}", "error: SM1001: the connection string is a URI"),
                // What MSBuild leaves of "-p:SafeMigrationsConnection=Host=h;Port=p;Database=d;...": no Database.
                ($"Host={builder.Host};Port={builder.Port};Username={builder.Username};Password={Canary}", "error: SM1001: the connection string (host="),
            };
            foreach (var (connection, expected) in cases)
            {
                foreach (string command in new[] { "apply", "status", "rollback" })
                {
                    var (exit, lines) = Run(new[] { command }, connection);
                    Assert.Equal(1, exit);
                    Assert.StartsWith(expected, lines[0]);
                    Assert.All(lines, line => Assert.DoesNotContain(Canary, line));
                }
            }
            Assert.Null(await database.ScalarAsync<string>("select to_regnamespace('safemigrations')::text"));
            Assert.Null(await database.ScalarAsync<string>("select to_regclass('\"__EFMigrationsHistory\"')::text"));
        }

        /// <summary>Runs the runner on the test app; <paramref name="environmentConnection"/> goes into SAFEMIGRATIONS_CONNECTION.</summary>
        private (int ExitCode, string[] Lines) Run(string[] arguments, string? environmentConnection)
        {
            string app = typeof(TestApp.ShopContext).Assembly.Location;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in RunnerLaunch.ExecArguments(app)
                         .Concat(arguments.Take(1)).Concat(new[] { "--assembly", app, "--context", "ShopContext" }).Concat(arguments.Skip(1)))
                start.ArgumentList.Add(argument);
            start.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
            if (environmentConnection is not null)
                start.Environment["SAFEMIGRATIONS_CONNECTION"] = environmentConnection;
            using Process process = Process.Start(start)!;
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            _output.WriteLine($"$ {arguments[0]} -> {process.ExitCode}");
            _output.WriteLine(output);
            Assert.DoesNotContain(Canary, error.Result);
            string[] lines = (output + error.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
            return (process.ExitCode, lines);
        }
    }
}
