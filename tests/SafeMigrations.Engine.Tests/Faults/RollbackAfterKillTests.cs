using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Planning;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// Rollback after the runner was killed at a random step of the expand phase: it succeeds and the schema is back to
    /// what it was before the migration (or it refuses with SM1008 and changes nothing); applying again then finishes.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class RollbackAfterKillTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public RollbackAfterKillTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Rollback_after_a_kill_restores_the_schema_and_keeps_every_row_then_apply_finishes()
        {
            Random random = FaultSeed.Create(_output, nameof(Rollback_after_a_kill_restores_the_schema_and_keeps_every_row_then_apply_finishes));
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 20_000, _output);
            await using NpgsqlConnection observer = await payments.OpenAsync();
            string before = await payments.SchemaAsync();

            PlanStep[] expand = payments.ExpandSteps.ToArray();
            PlanStep target = expand[random.Next(expand.Length)];
            int delay = random.Next(0, 40);
            await using (RunnerProcess runner = RunnerProcess.Start(_output, $"apply (kill {delay} ms into step {target.Index} {target.Kind})", PaymentsDatabase.Context, "apply", payments.ConnectionString))
            {
                Assert.True(await PaymentsDatabase.WaitForStepStartAsync(observer, target.Index, runner, RunnerKillTests.RunTimeout), "the run ended before the step started");
                await Task.Delay(delay);
                await RunnerKillTests.KillAsync(runner);
            }
            await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
            await payments.AssertStateConsistentAsync(_output);
            string afterKill = await payments.SchemaAsync();

            // Back to the table's migration: only what the killed run did is undone, whatever the state table holds.
            await using (RunnerProcess rollback = RunnerProcess.Start(_output, "rollback", PaymentsDatabase.Context, "rollback", payments.ConnectionString, "--target", PaymentsDatabase.CreateMigrationId))
            {
                int exit = await rollback.WaitForExitAsync(RunnerKillTests.RunTimeout);
                if (exit == 0)
                {
                    Assert.Equal(before, await payments.SchemaAsync());
                    Assert.Empty(await payments.StateAsync());
                }
                else
                {
                    Assert.Contains(rollback.Lines, l => l.StartsWith("error: SM1008: ", StringComparison.Ordinal));
                    Assert.Equal(afterKill, await payments.SchemaAsync());
                }
            }
            await payments.AssertOldColumnsAsync();

            await using (RunnerProcess apply = RunnerProcess.Start(_output, "apply (again)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
                Assert.Equal(0, await apply.WaitForExitAsync(RunnerKillTests.RunTimeout));
            await payments.AssertExpandedExactlyAsync();
        }
    }
}
