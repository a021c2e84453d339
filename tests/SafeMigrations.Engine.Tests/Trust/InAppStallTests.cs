using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.Faults;
using SafeMigrations.Engine.Tests.Runtime;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Trust
{
    /// <summary>
    /// A network stall mid-batch (the server reached through a TCP proxy that freezes both directions, sockets open),
    /// under the in-app API and under the runner process: each ends with SM1002 within the statement timeout plus
    /// Npgsql's cancellation wait, never hangs, and a rerun over a working network leaves every row right.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class InAppStallTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public InAppStallTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task A_stall_mid_batch_ends_the_in_app_call_with_SM1002_within_the_statement_timeout_and_a_rerun_finishes()
        {
            await using TestDatabase database = await SessionFaultDatabase.CreateAsync(_server, _output);
            string? expected = await SessionFaultDatabase.ExpectedAfterBackfillAsync(database);
            var proxy = SessionStallProxy.Start(database.ConnectionString);
            // The third batch's UPDATE reaches the server, which runs it and takes its row locks; then the path stalls.
            proxy.FreezeOn(message => message.Contains("UPDATE ") && message.Contains("customers\" SET"), occurrence: 3);
            SafeMigrationOptions options = InAppApiTests.Options("Hardening");
            options.StatementTimeout = TimeSpan.FromSeconds(3);
            options.BackfillBatchSize = 1000;
            var log = new CapturedLog(_output);
            options.LoggerFactory = log.Factory;

            Task<SafeMigrationResult> run;
            await using (proxy)
            {
                run = InAppApiTests.MigrateAsync(proxy.Through(database.ConnectionString), MigrationPhase.Expand, options);
                Task first = await Task.WhenAny(proxy.Frozen, run, Task.Delay(TimeSpan.FromSeconds(60)));
                Assert.True(first == proxy.Frozen, "the stall never happened: " + (run.IsFaulted ? run.Exception!.ToString() : "the run is still going or done"));
                var sinceStall = Stopwatch.StartNew();

                SafeMigrationsException stopped = await Assert.ThrowsAsync<SafeMigrationsException>(() => run);
                _output.WriteLine($"stopped {sinceStall.ElapsedMilliseconds} ms after the stall: {stopped.Message}");
                Assert.Equal(EngineCodes.StepFailed, stopped.Code);
                Assert.StartsWith("SM1002: 20240102000000_Hardening step ", stopped.Message);
                Assert.Contains("no answer from the server within the statement timeout of 3 s (--statement-timeout, SafeMigrationsStatementTimeout, SafeMigrationOptions.StatementTimeout in the app)", stopped.Message);
                // Bounded: the statement timeout plus Npgsql's cancellation wait (2 s), with room for a slow machine.
                Assert.True(sinceStall.Elapsed < options.StatementTimeout + TimeSpan.FromSeconds(12), $"stopped after {sinceStall.Elapsed}");
                Assert.Equal("SM1002", Assert.Single(log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error).EventId.Name);
            }

            // The network is back (the proxy gone closes the stalled sockets, so the server ends that session): the rerun finishes.
            SafeMigrationOptions rerunOptions = InAppApiTests.Options("Hardening");
            rerunOptions.AnotherInstanceWait = TimeSpan.FromSeconds(60);
            rerunOptions.AnotherInstancePollInterval = TimeSpan.FromMilliseconds(200);
            SafeMigrationResult rerun = await InAppApiTests.MigrateAsync(database.ConnectionString, MigrationPhase.Expand, rerunOptions);
            Assert.Equal(new[] { "20240102000000_Hardening" }, rerun.AppliedMigrations);
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
            Assert.Equal(expected, await SessionFaultDatabase.ActualAsync(database));
        }

        [Fact]
        public async Task A_stall_mid_batch_ends_the_runner_process_with_SM1002_within_its_statement_timeout_and_a_rerun_finishes()
        {
            // The command-line channel (what the MSBuild task, the tool and the bundle run): the same bound, as one coded line.
            await using TestDatabase database = await SessionFaultDatabase.CreateAsync(_server, _output);
            string? expected = await SessionFaultDatabase.ExpectedAfterBackfillAsync(database);
            await using (var proxy = SessionStallProxy.Start(database.ConnectionString))
            {
                proxy.FreezeOn(message => message.Contains("UPDATE ") && message.Contains("customers\" SET"), occurrence: 3);
                await using RunnerProcess runner = RunnerProcess.Start(_output, "apply (stalled)", "ShopContext", "apply", proxy.Through(database.ConnectionString), "--target", "Hardening", "--statement-timeout", "3000");
                Task first = await Task.WhenAny(proxy.Frozen, runner.WaitForExitAsync(TimeSpan.FromSeconds(90)));
                Assert.True(first == proxy.Frozen, "the stall never happened: " + string.Join("\n", runner.Lines.TakeLast(5)));
                var sinceStall = Stopwatch.StartNew();
                Assert.Equal(1, await runner.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                _output.WriteLine($"runner stopped {sinceStall.ElapsedMilliseconds} ms after the stall");
                Assert.True(sinceStall.Elapsed < TimeSpan.FromSeconds(3 + 12), $"stopped after {sinceStall.Elapsed}");
                Assert.Contains(runner.Lines, l => l.StartsWith("error: SM1002: 20240102000000_Hardening step ", StringComparison.Ordinal) && l.Contains("no answer from the server within the statement timeout of 3 s", StringComparison.Ordinal));
                Assert.DoesNotContain(runner.Lines, l => l.Contains("unexpected", StringComparison.Ordinal));
            }

            SafeMigrationOptions rerunOptions = InAppApiTests.Options("Hardening");
            rerunOptions.AnotherInstanceWait = TimeSpan.FromSeconds(60);
            rerunOptions.AnotherInstancePollInterval = TimeSpan.FromMilliseconds(200);
            Assert.Equal(new[] { "20240102000000_Hardening" }, (await InAppApiTests.MigrateAsync(database.ConnectionString, MigrationPhase.Expand, rerunOptions)).AppliedMigrations);
            Assert.Equal(expected, await SessionFaultDatabase.ActualAsync(database));
        }
    }
}
