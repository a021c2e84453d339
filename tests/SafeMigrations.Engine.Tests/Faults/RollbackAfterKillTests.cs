using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Tests.TestApp;
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
                if (!await PaymentsDatabase.WaitForStepStartAsync(observer, target.Index, runner, RunnerKillTests.RunTimeout))
                    Assert.Fail("the run ended before the step started: " + await runner.EndedEarlyAsync());
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

        [Fact]
        public async Task A_blocker_during_rollback_gives_SM1003_naming_the_undo_and_a_rerun_of_rollback_finishes()
        {
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 5_000, _output);
            await using NpgsqlConnection observer = await payments.OpenAsync();
            string before = await payments.SchemaAsync();
            using (var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(PaymentsContext).Assembly, PaymentsDatabase.Context, payments.ConnectionString)))
                await new MigrationEngine(catalog, new EngineOptions { ConnectionString = payments.ConnectionString }).ApplyAsync();
            PaymentsDatabase.ClearPool(payments.ConnectionString);
            string expanded = await payments.SchemaAsync();

            // A report job's long read: the first undo that needs ACCESS EXCLUSIVE (the newest step with an undo) cannot get it.
            await using NpgsqlConnection reader = await payments.OpenAsync();
            await using NpgsqlTransaction readerTransaction = await reader.BeginTransactionAsync();
            await new NpgsqlCommand("select count(*) from payments", reader, readerTransaction).ExecuteScalarAsync();
            PlanStep blocked = payments.ExpandSteps.Reverse().First(s => s.UndoSql is not null);

            await using (RunnerProcess rollback = RunnerProcess.Start(_output, "rollback (blocked)", PaymentsDatabase.Context, "rollback", payments.ConnectionString, "--target", PaymentsDatabase.CreateMigrationId, "--lock-timeout", "100", "--lock-retries", "2"))
            {
                Assert.Equal(1, await rollback.WaitForExitAsync(RunnerKillTests.RunTimeout));
                Assert.Contains(rollback.Lines, l => l.StartsWith($"error: SM1003: {blocked.Name}: undo failed: ", StringComparison.Ordinal));
                Assert.DoesNotContain(rollback.Lines, l => l.Contains("unexpected", StringComparison.Ordinal));
            }
            await readerTransaction.RollbackAsync();
            await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
            // The blocked undo changed nothing; only steps without an undo after it were forgotten.
            Assert.Equal(expanded, await payments.SchemaAsync());
            Assert.True(await payments.HistoryRowExistsAsync());
            Assert.True((await payments.StateAsync()).ContainsKey(blocked.Index));

            await using (RunnerProcess rollback = RunnerProcess.Start(_output, "rollback (rerun)", PaymentsDatabase.Context, "rollback", payments.ConnectionString, "--target", PaymentsDatabase.CreateMigrationId))
                Assert.Equal(0, await rollback.WaitForExitAsync(RunnerKillTests.RunTimeout));
            Assert.Equal(before, await payments.SchemaAsync());
            Assert.Empty(await payments.StateAsync());
            await payments.AssertOldColumnsAsync();
        }

        [Fact]
        public async Task A_blocked_history_delete_at_the_end_of_a_rollback_gives_SM1003_and_a_rerun_only_deletes_the_row()
        {
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 2_000, _output);
            await using NpgsqlConnection observer = await payments.OpenAsync();
            string before = await payments.SchemaAsync();
            using (var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(PaymentsContext).Assembly, PaymentsDatabase.Context, payments.ConnectionString)))
                await new MigrationEngine(catalog, new EngineOptions { ConnectionString = payments.ConnectionString }).ApplyAsync();
            PaymentsDatabase.ClearPool(payments.ConnectionString);

            // SHARE on the history table: the rollback reads it and undoes every step, but cannot delete the row.
            await using NpgsqlConnection holder = await payments.OpenAsync();
            await using NpgsqlTransaction holderTransaction = await holder.BeginTransactionAsync();
            await new NpgsqlCommand("lock table \"__EFMigrationsHistory\" in share mode", holder, holderTransaction).ExecuteNonQueryAsync();
            await using (RunnerProcess rollback = RunnerProcess.Start(_output, "rollback (history blocked)", PaymentsDatabase.Context, "rollback", payments.ConnectionString, "--target", PaymentsDatabase.CreateMigrationId, "--lock-timeout", "100", "--lock-retries", "2"))
            {
                Assert.Equal(1, await rollback.WaitForExitAsync(RunnerKillTests.RunTimeout));
                Assert.Contains(rollback.Lines, l => l.StartsWith($"error: SM1003: {PaymentsDatabase.MigrationId}: deleting its EF history row failed: ", StringComparison.Ordinal));
            }
            await holderTransaction.RollbackAsync();
            await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
            Assert.True(await payments.HistoryRowExistsAsync());
            Assert.Equal(new[] { 0 }, (await payments.StateAsync()).Keys.ToArray());

            await using (RunnerProcess rollback = RunnerProcess.Start(_output, "rollback (rerun)", PaymentsDatabase.Context, "rollback", payments.ConnectionString, "--target", PaymentsDatabase.CreateMigrationId))
            {
                Assert.Equal(0, await rollback.WaitForExitAsync(RunnerKillTests.RunTimeout));
                Assert.DoesNotContain(rollback.Lines, l => l.Contains(": undo: ", StringComparison.Ordinal));
            }
            Assert.Equal(before, await payments.SchemaAsync());
            await payments.AssertOldColumnsAsync();
        }
    }
}
