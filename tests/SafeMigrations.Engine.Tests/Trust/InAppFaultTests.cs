using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;
using SafeMigrations.Engine.Tests.Faults;
using SafeMigrations.Engine.Tests.Runtime;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Trust
{
    /// <summary>
    /// The in-app API (<c>context.Database.MigrateSafelyAsync</c>) under the faults production brings: the app process
    /// killed, two app instances starting at once, its session terminated, the migration edited between deploys. Each
    /// ends in a coded stop and a rerun that leaves every row equal to an independent recompute.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class InAppFaultTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public InAppFaultTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private static string Result(RunnerProcess app) => Assert.Single(app.Lines, l => l.StartsWith("result: ", StringComparison.Ordinal));

        [Fact]
        public async Task The_app_process_killed_mid_backfill_leaves_a_resumable_state_and_a_new_process_finishes_every_row()
        {
            Random random = FaultSeed.Create(_output, nameof(The_app_process_killed_mid_backfill_leaves_a_resumable_state_and_a_new_process_finishes_every_row));
            const int rows = 30_000;
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, rows, _output);
            await using OldAppWriter writer = OldAppWriter.Start(payments, random.Next());
            await using NpgsqlConnection observer = await payments.OpenAsync();
            long point = rows / 10 + random.Next(rows / 2);

            await using (RunnerProcess app = RunnerProcess.StartInAppHost(_output, $"app (kill after {point} rows)", payments.ConnectionString, "apply", "--batch", "500", "--pause", "20"))
            {
                if (!await RunnerKillTests.WaitForBackfillAsync(observer, payments.BackfillStep.Index, point, app))
                    Assert.Fail("the app ended before the kill point: " + await app.EndedEarlyAsync());
                Assert.True(await RunnerKillTests.KillAsync(app), "the app finished before the kill");
            }
            await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
            await payments.AssertStateConsistentAsync(_output);
            Assert.NotEqual("completed", (await payments.StateAsync())[payments.BackfillStep.Index].Status);
            Assert.False(await payments.HistoryRowExistsAsync());

            // A new app process (the restarted pod) resumes after the last committed batch and finishes.
            await using (RunnerProcess rerun = RunnerProcess.StartInAppHost(_output, "app (restarted)", payments.ConnectionString, "apply"))
            {
                Assert.Equal(0, await rerun.WaitForExitAsync(RunnerKillTests.RunTimeout));
                Assert.Equal($"result: Completed applied=[{PaymentsDatabase.MigrationId}] rolledback=[]", Result(rerun));
                Assert.Contains(rerun.Lines, l => l.StartsWith("log: Information", StringComparison.Ordinal) && l.Contains("resuming after key"));
            }
            Assert.Empty(await writer.StopAsync());
            Assert.True(writer.Inserts > 0 && writer.Updates > 0, $"the old app version wrote nothing ({writer.Inserts} inserts, {writer.Updates} updates)");
            await payments.AssertExpandedExactlyAsync();
        }

        [Fact]
        public async Task Two_app_processes_waiting_for_a_running_executor_one_applies_after_it_no_step_runs_twice_and_one_past_its_wait_returns_with_SM1005()
        {
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 20_000, _output);
            // Another executor (a deploy job) is at work: every app instance that starts now must wait, however slow the machine.
            ExecutorLock running = await ExecutorLock.AcquireAsync(payments.ConnectionString);
            try
            {
                RunnerProcess first = RunnerProcess.StartInAppHost(_output, "app 1", payments.ConnectionString, "apply", "--batch", "500", "--wait", "120000");
                RunnerProcess second = RunnerProcess.StartInAppHost(_output, "app 2", payments.ConnectionString, "apply", "--batch", "500", "--wait", "120000");
                await using (first)
                await using (second)
                {
                    await using (RunnerProcess impatient = RunnerProcess.StartInAppHost(_output, "app 3 (waits 1 s)", payments.ConnectionString, "apply", "--wait", "1000"))
                    {
                        Assert.Equal(0, await impatient.WaitForExitAsync(RunnerKillTests.RunTimeout));
                        Assert.Equal("result: AnotherInstanceRunning applied=[] rolledback=[]", Result(impatient));
                        Assert.Contains(impatient.Lines, l => Regex.IsMatch(l, "^log: Warning SM1005 SafeMigrations\\.Apply: SM1005: another instance is still running on database host=\\S+ port=\\d+ database=sm_test_\\w+ user=postgres .*returning without running apply here: that instance finishes the work\\.$"));
                        Assert.DoesNotContain(impatient.Lines, l => l.Contains(": running (", StringComparison.Ordinal));
                    }
                    const string waiting = "waiting for it before apply (at most 120 s)";
                    foreach (RunnerProcess app in new[] { first, second })
                        Assert.NotNull(await app.WaitForLineAsync(l => l.EndsWith(waiting, StringComparison.Ordinal), RunnerKillTests.RunTimeout));
                    await running.DisposeAsync();

                    // Released: both look again at once; exactly one runs the steps, the other finds the work done.
                    Assert.Equal(0, await first.WaitForExitAsync(RunnerKillTests.RunTimeout));
                    Assert.Equal(0, await second.WaitForExitAsync(RunnerKillTests.RunTimeout));
                    RunnerProcess[] apps = { first, second };
                    RunnerProcess winner = Assert.Single(apps, a => Result(a) == $"result: Completed applied=[{PaymentsDatabase.MigrationId}] rolledback=[]");
                    RunnerProcess waiter = apps.Single(a => a != winner);
                    Assert.Equal("result: NothingToDo applied=[] rolledback=[]", Result(waiter));
                    Assert.DoesNotContain(waiter.Lines, l => l.Contains(": running (", StringComparison.Ordinal));
                    Assert.Equal(payments.ExpandSteps.Count(), winner.Lines.Count(l => l.Contains(PaymentsDatabase.MigrationId + " step ", StringComparison.Ordinal) && l.Contains(": running (", StringComparison.Ordinal)));
                }
            }
            finally
            {
                await running.DisposeAsync();
            }
            Assert.Equal(0L, await payments.ScalarAsync<long>($"select count(*) from safemigrations.state where migration_id = '{PaymentsDatabase.MigrationId}' and step_index > 0 and (attempts <> 1 or status <> 'completed')"));
            Assert.Equal(1L, await payments.ScalarAsync<long>($"select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" = '{PaymentsDatabase.MigrationId}'"));
            await payments.AssertExpandedExactlyAsync();
        }

        [Fact]
        public async Task Cancelled_while_waiting_for_another_instance_stops_with_SM1009_having_run_nothing_and_a_rerun_applies()
        {
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 2_000, _output);
            ExecutorLock running = await ExecutorLock.AcquireAsync(payments.ConnectionString);
            try
            {
                SafeMigrationOptions options = InAppApiTests.Options();
                options.AnotherInstanceWait = TimeSpan.FromSeconds(60);
                options.AnotherInstancePollInterval = TimeSpan.FromMilliseconds(100);
                var log = new CapturedLog(_output);
                options.LoggerFactory = log.Factory;
                // The pod is stopped (its host cancels start-up) while it waits for the deploy job.
                using var stop = new System.Threading.CancellationTokenSource(TimeSpan.FromMilliseconds(800));
                await using var context = new PaymentsContext(new DbContextOptionsBuilder<PaymentsContext>().UseNpgsql(payments.ConnectionString).Options);
                var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => context.Database.MigrateSafelyAsync(MigrationPhase.Expand, options, stop.Token));
                Assert.StartsWith("SM1009: cancelled;", cancelled.Message);
                Assert.Equal("SM1009", Assert.Single(log.Entries, e => e.Level == LogLevel.Error).EventId.Name);
                Assert.Contains(log.In(SafeMigrationsLogCategories.Apply), m => m.StartsWith("another instance is running on database host=", StringComparison.Ordinal));
                Assert.Empty(await payments.StateAsync());
            }
            finally
            {
                await running.DisposeAsync();
            }
            PaymentsDatabase.ClearPool(payments.ConnectionString);
            Assert.Equal(new[] { PaymentsDatabase.MigrationId }, (await MigrateAsync(payments.ConnectionString, InAppApiTests.Options())).AppliedMigrations);
            PaymentsDatabase.ClearPool(payments.ConnectionString);
            await payments.AssertExpandedExactlyAsync();
        }

        [Fact]
        public async Task Its_session_terminated_mid_batch_the_API_throws_a_coded_exception_naming_the_step_and_a_rerun_finishes()
        {
            const int rows = 40_000;
            const int held = rows - 10;
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, rows, _output);
            await using NpgsqlConnection observer = await payments.OpenAsync();
            await using NpgsqlConnection holder = await payments.OpenAsync();
            await using NpgsqlTransaction holding = await holder.BeginTransactionAsync();
            var log = new CapturedLog(_output);
            SafeMigrationOptions options = InAppApiTests.Options();
            options.LockTimeout = TimeSpan.FromSeconds(30);
            options.BackfillBatchSize = 500;
            options.BackfillPause = TimeSpan.FromMilliseconds(20);
            options.LoggerFactory = log.Factory;

            Task<SafeMigrationResult> run = MigrateAsync(payments.ConnectionString, options);
            // Once the backfill runs, the app holds a row near the end: the batches skip it, and after the last one the
            // backfill waits for that row alone (a single-row UPDATE; a batch is one WITH statement and never waits for a row).
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (await PaymentsDatabase.BackfillVisitedAsync(observer, payments.BackfillStep.Index) == 0)
            {
                Assert.False(run.IsCompleted || clock.Elapsed > RunnerKillTests.RunTimeout, "the backfill committed no batch");
                await Task.Delay(10);
            }
            await new NpgsqlCommand($"select id from payments where id = {held} for update", holder, holding).ExecuteScalarAsync();
            Backend batch = await ServerSessions.WaitForAsync(observer, b => b.WaitEventType == "Lock" && b.Query.StartsWith("UPDATE", StringComparison.Ordinal), RunnerKillTests.RunTimeout);
            _output.WriteLine("terminating " + batch);
            await ServerSessions.TerminateAsync(observer, batch.Pid);
            SafeMigrationsException stopped = await Assert.ThrowsAsync<SafeMigrationsException>(() => run);
            _output.WriteLine(stopped.Message);

            Assert.Equal(EngineCodes.StepFailed, stopped.Code);
            Assert.StartsWith($"SM1002: {payments.BackfillStep.Name}: ", stopped.Message);
            Assert.Contains("The executor lock ended with this session (backend pid ", stopped.Message);
            Assert.DoesNotContain("unexpected", stopped.Message);
            CapturedLog.Entry error = Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
            Assert.Equal("SM1002", error.EventId.Name);
            Assert.Equal(StepOutcome.Failed, Assert.Single(stopped.Result!.Steps, s => s.Step.Index == payments.BackfillStep.Index).Outcome);
            await holding.RollbackAsync();
            PaymentsDatabase.ClearPool(payments.ConnectionString);
            await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
            await payments.AssertStateConsistentAsync(_output, held);
            // The batches went past the held row: it is the only one left to fill.
            Assert.Equal(1L, await payments.ScalarAsync<long>($"select count(*) from payments where ({payments.BackfillStep.Backfill!.Where})"));
            Assert.Equal(1L, await payments.ScalarAsync<long>($"select count(*) from payments where id = {held} and ({payments.BackfillStep.Backfill!.Where})"));

            SafeMigrationResult rerun = await MigrateAsync(payments.ConnectionString, InAppApiTests.Options());
            Assert.Equal(new[] { PaymentsDatabase.MigrationId }, rerun.AppliedMigrations);
            PaymentsDatabase.ClearPool(payments.ConnectionString);
            await payments.AssertExpandedExactlyAsync();
        }

        [Fact]
        public async Task A_migration_edited_between_runs_stops_the_API_with_SM1013_saying_what_to_do_and_runs_after_the_rollback_it_advises()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            const string widgetCodes = "20240402000000_WidgetCodes";
            await MigrateWidgetsAsync<WidgetsContext>(database.ConnectionString, target: "Widgets");
            await database.ExecuteAsync("insert into widgets (name) values ('bolt'), (''), ('nut')");
            // The original fails at its validation (an empty name): steps 1-3 recorded, step 4 failed.
            SafeMigrationsException failed = await Assert.ThrowsAsync<SafeMigrationsException>(() => MigrateWidgetsAsync<WidgetsContext>(database.ConnectionString));
            Assert.Equal(EngineCodes.StepFailed, failed.Code);
            string recorded = (await database.ScalarAsync<string>("select string_agg(step_index || ':' || status || ':' || fingerprint, ',' order by step_index) from safemigrations.state"))!;

            // The developer inserts a data fix and redeploys: the app's start-up call must refuse, not skip the fix.
            var log = new CapturedLog(_output);
            SafeMigrationsException refused = await Assert.ThrowsAsync<SafeMigrationsException>(() => MigrateWidgetsAsync<WidgetsInsertedContext>(database.ConnectionString, log: log));
            _output.WriteLine(refused.Message);
            Assert.Equal(EngineCodes.PlanChanged, refused.Code);
            Assert.StartsWith($"SM1013: {widgetCodes}", refused.Message);
            Assert.Contains("step 2: recorded create-index-concurrently (completed), planned backfill", refused.Message);
            Assert.Contains("revert the edit", refused.Message);
            Assert.Empty(refused.Result!.AppliedMigrations);
            Assert.Equal("SM1013", Assert.Single(log.Entries, e => e.Level == LogLevel.Error).EventId.Name);
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from widgets where name = ''"));
            Assert.Equal(recorded, await database.ScalarAsync<string>("select string_agg(step_index || ':' || status || ':' || fingerprint, ',' order by step_index) from safemigrations.state"));

            // Status through the API shows it too; the way on the message gives: roll back with the original, apply the edit.
            await using (var context = new WidgetsInsertedContext(new DbContextOptionsBuilder<WidgetsInsertedContext>().UseNpgsql(database.ConnectionString).Options))
                Assert.Contains((await context.Database.GetSafeMigrationStatusAsync(InAppApiTests.Options())).Findings, f => f.Code == EngineCodes.PlanChanged && f.Message.StartsWith(widgetCodes, StringComparison.Ordinal));
            await using (var context = new WidgetsContext(new DbContextOptionsBuilder<WidgetsContext>().UseNpgsql(database.ConnectionString).Options))
                Assert.Equal(new[] { widgetCodes }, (await context.Database.RollbackSafeMigrationAsync(InAppApiTests.Options())).RolledBackMigrations);
            Assert.Equal(new[] { widgetCodes }, (await MigrateWidgetsAsync<WidgetsInsertedContext>(database.ConnectionString)).AppliedMigrations);
            Assert.Equal("bolt,nut,unnamed", await database.ScalarAsync<string>("select string_agg(name, ',' order by name) from widgets"));
            Assert.True(await database.ScalarAsync<bool>("select convalidated from pg_constraint where conname = 'CK_widgets_name'"));
        }

        private static async Task<SafeMigrationResult> MigrateAsync(string connectionString, SafeMigrationOptions options)
        {
            await using var context = new PaymentsContext(new DbContextOptionsBuilder<PaymentsContext>().UseNpgsql(connectionString).Options);
            return await context.Database.MigrateSafelyAsync(MigrationPhase.Expand, options);
        }

        private static async Task<SafeMigrationResult> MigrateWidgetsAsync<TContext>(string connectionString, string? target = null, CapturedLog? log = null)
            where TContext : DbContext
        {
            var builder = new DbContextOptionsBuilder<TContext>().UseNpgsql(connectionString);
            await using var context = (TContext)Activator.CreateInstance(typeof(TContext), builder.Options)!;
            SafeMigrationOptions options = InAppApiTests.Options(target);
            options.LoggerFactory = log?.Factory;
            return await context.Database.MigrateSafelyAsync(MigrationPhase.Expand, options);
        }
    }
}
