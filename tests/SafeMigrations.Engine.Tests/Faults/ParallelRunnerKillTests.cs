using System;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Backfill;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>SIGKILL of the runner while a backfill runs on several workers, the old app version writing all along.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ParallelRunnerKillTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ParallelRunnerKillTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Killed_mid_backfill_on_three_workers_the_rerun_on_one_resumes_every_segment_and_every_row_is_right()
        {
            Random random = FaultSeed.Create(_output, nameof(Killed_mid_backfill_on_three_workers_the_rerun_on_one_resumes_every_segment_and_every_row_is_right));
            // Three times the other kill tests' table: on a quiet machine three workers walk 100,000 rows faster than a saved position
            // (one batch per worker behind) and the kill can follow, and the kill then lands after the last segment is done.
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 3 * RunnerKillTests.BackfillRows, _output);
            await using OldAppWriter app = OldAppWriter.Start(payments, random.Next());
            await using NpgsqlConnection observer = await payments.OpenAsync();
            int backfill = payments.BackfillStep.Index;
            long point = (long)(3 * RunnerKillTests.BackfillRows * (0.2 + random.NextDouble() * 0.4));

            await using (RunnerProcess runner = RunnerProcess.Start(_output, $"apply on 3 workers (kill after {point} rows)", PaymentsDatabase.Context, "apply", payments.ConnectionString, "--backfill-workers", "3"))
            {
                Assert.True(await RunnerKillTests.WaitForBackfillAsync(observer, backfill, point, runner), "the run finished before the kill point");
                Assert.True(await RunnerKillTests.KillAsync(runner), "the run finished before the kill");
            }
            await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
            await payments.AssertStateConsistentAsync(_output);
            var (status, position) = (await payments.StateAsync())[backfill];
            Assert.NotEqual("completed", status);
            BackfillPosition saved = BackfillPosition.Parse(position!);
            Assert.Equal(3, saved.Segments!.Count);
            Assert.Contains(saved.Segments, s => !s.Done);

            await using (RunnerProcess rerun = RunnerProcess.Start(_output, "apply on 1 worker (rerun)", PaymentsDatabase.Context, "apply", payments.ConnectionString, "--backfill-workers", "1"))
            {
                Assert.Equal(0, await rerun.WaitForExitAsync(RunnerKillTests.RunTimeout));
                Assert.Contains(rerun.Lines, l => l.StartsWith("info: ", StringComparison.Ordinal) && l.Contains("resuming with ", StringComparison.Ordinal) && l.Contains(" of 3 key segments still to finish", StringComparison.Ordinal));
            }
            Assert.Empty(await app.StopAsync());
            Assert.True(app.Inserts > 0 && app.Updates > 0, $"the old app version wrote nothing ({app.Inserts} inserts, {app.Updates} updates)");
            await payments.AssertExpandedExactlyAsync();
        }
    }
}
