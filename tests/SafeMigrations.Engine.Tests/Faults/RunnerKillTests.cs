using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Planning;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// SIGKILL of the real runner (and of the "build" process group around it) at random points of a batched backfill
    /// and of a multi-step migration, with the old app version writing all along: the server rolls back the work in
    /// flight, the state table agrees with the schema, and the rerun finishes with every row right.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class RunnerKillTests
    {
        /// <summary>Large enough that the backfill takes a few batches of a second or so, small enough to keep each test short.</summary>
        internal const int BackfillRows = 100_000;

        internal static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);
        internal static readonly TimeSpan SessionsGone = TimeSpan.FromSeconds(20);

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public RunnerKillTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Killed_at_random_points_of_a_backfill_the_rerun_resumes_and_every_row_is_right()
        {
            Random random = FaultSeed.Create(_output, nameof(Killed_at_random_points_of_a_backfill_the_rerun_resumes_and_every_row_is_right));
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, BackfillRows, _output);
            await using OldAppWriter app = OldAppWriter.Start(payments, random.Next());
            await using NpgsqlConnection observer = await payments.OpenAsync();
            int backfill = payments.BackfillStep.Index;

            // Three points in the table, ascending: each rerun resumes after the last saved position and runs on to the next.
            long[] points = new[] { 0.05 + random.NextDouble() * 0.2, 0.3 + random.NextDouble() * 0.25, 0.6 + random.NextDouble() * 0.3 }
                .Select(f => (long)(BackfillRows * f)).ToArray();
            int killedInBackfill = 0;
            bool resumed = false;
            bool finished = false;
            foreach (long point in points)
            {
                await using RunnerProcess runner = RunnerProcess.Start(_output, $"apply (kill after {point} rows)", PaymentsDatabase.Context, "apply", payments.ConnectionString);
                bool reached = await WaitForBackfillAsync(observer, backfill, point, runner);
                // A run after a kill inside the backfill must say where it resumes, whether it is then killed or finishes.
                bool killed = reached && await KillAsync(runner);
                resumed |= killedInBackfill > 0 && runner.Lines.Any(l => l.StartsWith("info: ", StringComparison.Ordinal) && l.Contains("resuming after key"));
                if (!killed)
                {
                    // On a quiet machine the rest of the backfill can take less than the poll and the kill: it finished.
                    Assert.Equal(0, await runner.WaitForExitAsync(RunTimeout));
                    _output.WriteLine(reached ? $"the run finished after {point} rows, before the kill" : $"the run finished before {point} rows were visited");
                    finished = true;
                    break;
                }
                await ServerSessions.WaitUntilGoneAsync(observer, SessionsGone);
                await payments.AssertStateConsistentAsync(_output);
                var state = (await payments.StateAsync())[backfill];
                if (state.Status != "completed")
                    killedInBackfill++;
            }
            Assert.True(killedInBackfill > 0, "no kill landed inside the backfill");

            await using (RunnerProcess rerun = RunnerProcess.Start(_output, "apply (rerun)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
            {
                Assert.Equal(0, await rerun.WaitForExitAsync(RunTimeout));
                resumed |= rerun.Lines.Any(l => l.StartsWith("info: ", StringComparison.Ordinal) && l.Contains("resuming after key"));
                if (finished)
                    Assert.DoesNotContain(rerun.Lines, l => l.Contains("resuming after key", StringComparison.Ordinal));
            }
            Assert.True(resumed, "no run after a kill resumed the backfill from its saved position");
            Assert.Empty(await app.StopAsync());
            Assert.True(app.Inserts > 0 && app.Updates > 0, $"the old app version wrote nothing ({app.Inserts} inserts, {app.Updates} updates)");
            await payments.AssertExpandedExactlyAsync();
        }

        [Fact]
        public async Task Killed_at_random_steps_of_a_multi_step_migration_the_rerun_finishes_it()
        {
            Random random = FaultSeed.Create(_output, nameof(Killed_at_random_steps_of_a_multi_step_migration_the_rerun_finishes_it));
            // 60,000 rows: since batches commit asynchronously 20,000 took well under a second, and a test host starved on
            // a loaded machine saw the step start only after the whole run had finished.
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 60_000, _output);
            await using OldAppWriter app = OldAppWriter.Start(payments, random.Next());
            await using NpgsqlConnection observer = await payments.OpenAsync();

            // Three distinct expand steps, ascending; each kill lands a random moment after the runner recorded that step's start.
            // The first is at or before the backfill (a few seconds long), so at least one kill lands mid-run; the
            // steps after it take milliseconds each, and a kill meant for them may come after the run has finished.
            PlanStep[] expand = payments.ExpandSteps.ToArray();
            PlanStep first = expand.Where(s => s.Index <= payments.BackfillStep.Index).OrderBy(_ => random.Next()).First();
            PlanStep[] targets = expand.Where(s => s != first).OrderBy(_ => random.Next()).Take(2).Append(first).OrderBy(s => s.Index).ToArray();
            int kills = 0;
            foreach (PlanStep target in targets)
            {
                int delay = random.Next(0, 40);
                await using RunnerProcess runner = RunnerProcess.Start(_output, $"apply (kill {delay} ms into step {target.Index} {target.Kind})", PaymentsDatabase.Context, "apply", payments.ConnectionString);
                if (!await PaymentsDatabase.WaitForStepStartAsync(observer, target.Index, runner, RunTimeout))
                {
                    // The step was already done (an earlier kill landed after it): nothing to interrupt here.
                    Assert.Equal(0, await runner.WaitForExitAsync(RunTimeout));
                    continue;
                }
                await Task.Delay(delay);
                if (!await KillAsync(runner))
                    break; // the run finished within the delay
                kills++;
                await ServerSessions.WaitUntilGoneAsync(observer, SessionsGone);
                await payments.AssertStateConsistentAsync(_output);
            }
            Assert.True(kills > 0, "every run finished before its kill");

            await using (RunnerProcess rerun = RunnerProcess.Start(_output, "apply (rerun)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
                Assert.Equal(0, await rerun.WaitForExitAsync(RunTimeout));
            Assert.Empty(await app.StopAsync());
            await payments.AssertExpandedExactlyAsync();
        }

        [Fact]
        public async Task Killing_the_process_group_of_the_build_and_the_runner_mid_backfill_leaves_a_resumable_state()
        {
            Random random = FaultSeed.Create(_output, nameof(Killing_the_process_group_of_the_build_and_the_runner_mid_backfill_leaves_a_resumable_state));
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, BackfillRows, _output);
            await using NpgsqlConnection observer = await payments.OpenAsync();
            long point = (long)(BackfillRows * (0.1 + random.NextDouble() * 0.5));

            await using (RunnerProcess build = RunnerProcess.StartInProcessGroup(_output, $"build+apply (group kill after {point} rows)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
            {
                Assert.NotNull(await build.WaitForLineAsync(l => l.StartsWith("wrapper: runner ", StringComparison.Ordinal), RunTimeout));
                Assert.True(await WaitForBackfillAsync(observer, payments.BackfillStep.Index, point, build), "the run finished before the kill point");
                Assert.True(build.RunnerIsAlive(), "the runner is not running");
                build.KillProcessGroup();
                Assert.NotEqual(0, await build.WaitForExitAsync(RunTimeout));
                Assert.DoesNotContain(build.Lines, l => l.StartsWith("wrapper: runner exited", StringComparison.Ordinal));
                Assert.True(await build.WaitForRunnerGoneAsync(TimeSpan.FromSeconds(10)), $"runner pid {build.RunnerPid} survived the group kill");
                await ServerSessions.WaitUntilGoneAsync(observer, SessionsGone);
            }
            await payments.AssertStateConsistentAsync(_output);
            Assert.NotEqual("completed", (await payments.StateAsync())[payments.BackfillStep.Index].Status);

            await using (RunnerProcess rerun = RunnerProcess.Start(_output, "apply (rerun)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
            {
                Assert.Equal(0, await rerun.WaitForExitAsync(RunTimeout));
                Assert.Contains(rerun.Lines, l => l.Contains("resuming after key"));
            }
            await payments.AssertExpandedExactlyAsync();
        }

        /// <summary>SIGKILL; false when the runner had already finished successfully (a kill point after its last step).</summary>
        internal static async Task<bool> KillAsync(RunnerProcess runner)
        {
            if (!runner.HasExited)
                runner.Kill();
            int exit = await runner.WaitForExitAsync(RunTimeout);
            if (exit == 0)
                Assert.Contains(runner.Lines, l => l.Contains("expand phase complete", StringComparison.Ordinal));
            return exit != 0;
        }

        /// <summary>Polls the saved backfill position until it reaches <paramref name="rows"/>; false when the runner ended first.</summary>
        internal static async Task<bool> WaitForBackfillAsync(NpgsqlConnection observer, int backfillStep, long rows, RunnerProcess runner)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < RunTimeout)
            {
                bool ended = runner.HasExited; // before the query, as in PaymentsDatabase.WaitForStepStartAsync
                if (await PaymentsDatabase.BackfillVisitedAsync(observer, backfillStep) >= rows)
                    return true;
                if (ended)
                    return false;
                await Task.Delay(5);
            }
            throw new TimeoutException($"the backfill did not reach {rows} rows within {RunTimeout.TotalSeconds:0} s");
        }
    }
}
