using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// The runner launched the way the MSBuild task launches it: dotnet exec with this test assembly's deps.json and
    /// runtimeconfig, so EF Core 10 and Npgsql 10 load from the "app" while the runner ships none of them.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class RunnerProcessTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public RunnerProcessTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (int ExitCode, string[] Lines) Run(params string[] arguments)
            => RunnerLaunch.Run(_output, typeof(TestApp.ShopContext), arguments);

        [Fact]
        public async Task Runner_applies_in_the_apps_dependency_context_and_speaks_the_line_protocol()
        {
            Assert.True(File.Exists(RunnerLaunch.RunnerPath()), "runner not built at " + RunnerLaunch.RunnerPath());
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            const string secret = "s3cret-Pa55";
            string connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = secret }.ConnectionString;

            var (planExit, planLines) = Run("plan", "--connection", connection, "--target", "Hardening");
            Assert.Equal(0, planExit);
            Assert.Contains(planLines, l => l.StartsWith("info: 20240102000000_Hardening step 1 (create index \"IX_orders_total\" concurrently) [expand]"));

            string report = Path.Combine(Path.GetTempPath(), "sm-report-" + Guid.NewGuid().ToString("N") + ".md");
            var (applyExit, applyLines) = Run("apply", "--connection", connection, "--phase", "All", "--lock-timeout", "1000", "--index-wait-timeout", "60000", "--report", report);
            Assert.Equal(0, applyExit);
            Assert.All(applyLines, l => Assert.Matches("^(info|warn|error|progress): ", l));
            Assert.DoesNotContain(applyLines, l => l.Contains(secret));
            Assert.Contains(applyLines, l => l.Contains("20240103000000_Nicknames: contract phase complete"));
            string markdown = File.ReadAllText(report);
            Assert.Contains("| 20240102000000_Hardening | 1 | Expand | create index \"IX_orders_total\" concurrently |", markdown);
            Assert.DoesNotContain(secret, markdown);
            File.Delete(report);

            var (statusExit, statusLines) = Run("status", "--connection", connection);
            Assert.Equal(0, statusExit);
            Assert.Contains("info: 20240103000000_Nicknames: applied (expand 2/2, contract 1/1)", statusLines);

            // Failures: an SM code naming what went wrong, exit code 1, still no password.
            var (rollbackExit, rollbackLines) = Run("rollback", "--connection", connection);
            Assert.Equal(1, rollbackExit);
            Assert.Contains(rollbackLines, l => l.StartsWith("error: SM1008: 20240103000000_Nicknames step 3 (drop column \"legacy_code\" of \"orders\")"));

            var (badExit, badLines) = Run("apply", "--connection", connection.Replace("Database=", "Database=missing_"));
            Assert.Equal(1, badExit);
            Assert.Contains(badLines, l => l.StartsWith("error: SM1001: "));
            Assert.DoesNotContain(badLines, l => l.Contains(secret));

            var (waitExit, waitLines) = Run("apply", "--connection", connection, "--index-wait-timeout", "soon");
            Assert.Equal(1, waitExit);
            Assert.Contains(waitLines, l => l.StartsWith("error: SM1001: --index-wait-timeout must be a number of milliseconds"));
        }

        [Fact]
        public void Script_writes_expand_and_contract_sql_without_a_database_and_refuses_options_of_other_commands()
        {
            string output = Path.Combine(Path.GetTempPath(), "sm-script-" + Guid.NewGuid().ToString("N"));
            try
            {
                var (exit, lines) = Run("script", "--output", output, "--from", "Initial", "--to", "Hardening", "--lock-timeout", "900");
                Assert.Equal(0, exit);
                Assert.Contains(lines, l => l.StartsWith("info: wrote expand.sql and contract.sql for 1 migration(s) of ShopContext", StringComparison.Ordinal));
                string expand = File.ReadAllText(Path.Combine(output, "expand.sql"));
                Assert.Contains("'20240102000000_Hardening'", expand);
                Assert.DoesNotContain("20240101000000_Initial", expand);
                Assert.Contains("SET LOCAL lock_timeout = '900ms';", expand);
                Assert.True(File.Exists(Path.Combine(output, "contract.sql")));

                var (phaseExit, phaseLines) = Run("script", "--phase", "Expand");
                Assert.Equal(1, phaseExit);
                Assert.Contains(phaseLines, l => l.StartsWith("error: SM1001: unknown option '--phase' for script", StringComparison.Ordinal));
                var (unknownExit, unknownLines) = Run("script", "--to", "Nope");
                Assert.Equal(1, unknownExit);
                Assert.Contains(unknownLines, l => l.StartsWith("error: SM1007: no migration 'Nope'", StringComparison.Ordinal));
            }
            finally
            {
                if (Directory.Exists(output))
                    Directory.Delete(output, recursive: true);
            }
        }

        [Fact]
        public async Task Blocked_step_gives_up_with_SM1003_after_the_lock_retries_naming_the_blocker_and_status_repeats_SM1003()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string connection = database.ConnectionString;
            Assert.Equal(0, Run("apply", "--connection", connection, "--target", "Hardening").ExitCode);

            // Nicknames' first step adds a column to "customers": it needs ACCESS EXCLUSIVE, which this session holds.
            await using var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { ApplicationName = "sm-test-blocker" }.ConnectionString);
            await blocker.OpenAsync();
            await using NpgsqlTransaction transaction = await blocker.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE", blocker, transaction))
                await command.ExecuteNonQueryAsync();

            var (applyExit, applyLines) = Run("apply", "--connection", connection, "--lock-timeout", "100", "--lock-retries", "2");
            Assert.Equal(1, applyExit);
            const string step = "20240103000000_Nicknames step 1 (add column \"nickname\" to \"customers\")";
            // --lock-retries 2: three attempts, the first two announce a retry, the last one gives up.
            var attempts = applyLines.Where(l => l.StartsWith("progress: " + step + ": attempt ", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, attempts.Count);
            Assert.Equal(2, applyLines.Count(l => l.EndsWith("; retrying", StringComparison.Ordinal)));
            Assert.EndsWith("attempt 3 timed out waiting for a lock (lock_timeout 100ms); giving up", attempts[2]);
            string error = Assert.Single(applyLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
            Assert.StartsWith("error: SM1003: " + step + ": Gave up after 3 attempts (the maximum)", error);
            Assert.Contains("--lock-timeout <ms>, SafeMigrationsLockTimeout", error);
            Assert.Contains("--lock-retries <n>, SafeMigrationsLockRetries", error);
            Assert.Contains("application_name 'sm-test-blocker', idle in transaction", error);
            Assert.Contains("holds AccessExclusiveLock on customers", error);

            await transaction.RollbackAsync();
            var (statusExit, statusLines) = Run("status", "--connection", connection);
            Assert.Equal(0, statusExit);
            Assert.Contains(statusLines, l => l.StartsWith("warn: SM1003: " + step + ": failed in an earlier run: ", StringComparison.Ordinal) && l.Contains("SafeMigrationsLockRetries"));
            Assert.DoesNotContain(statusLines, l => l.Contains("SM1002"));

            // The blocker is gone: a rerun resumes and completes the step.
            Assert.Equal(0, Run("apply", "--connection", connection, "--lock-retries", "0").ExitCode);
        }

        [Fact]
        public async Task An_option_the_command_would_ignore_stops_the_runner_with_SM1001_and_the_database_is_untouched()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string connection = database.ConnectionString;
            Assert.Equal(0, Run("apply", "--connection", connection, "--target", "Initial").ExitCode);

            foreach (var (arguments, expected) in new[]
            {
                (new[] { "status", "--connection", connection, "--contract-gate", "skip" }, "error: SM1001: unknown option '--contract-gate' for status (apply takes it)"),
                (new[] { "rollback", "--connection", connection, "--accept-edited", "Initial" }, "error: SM1001: unknown option '--accept-edited' for rollback (apply takes it)"),
                (new[] { "rollback", "--connection", connection, "--phase", "Expand" }, "error: SM1001: unknown option '--phase' for rollback (plan and apply take it)"),
            })
            {
                var (exit, lines) = Run(arguments);
                Assert.Equal(1, exit);
                Assert.StartsWith(expected, Assert.Single(lines), StringComparison.Ordinal);
            }
            // The refused rollback undid nothing.
            Assert.True(await database.ScalarAsync<bool>("select exists (select 1 from \"__EFMigrationsHistory\" where \"MigrationId\" = '20240101000000_Initial')"));
        }
    }
}
