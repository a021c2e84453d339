using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// The runner's session terminated on the server (pg_terminate_backend, as a DBA, a pooler or a failover ends it)
    /// mid-batch, mid-DDL, mid-concurrent-index-build and at COMMIT: a coded error, a state table that agrees with the
    /// schema, and a rerun that finishes with every row right.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class BackendTerminationTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public BackendTerminationTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Terminated_while_the_backfill_waits_for_a_row_the_app_holds_every_other_row_stays_done_and_the_rerun_fills_it()
        {
            const int rows = 80_000;
            const int held = rows - 10;
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, rows, _output);
            await using NpgsqlConnection observer = await payments.OpenAsync();
            await using NpgsqlConnection app = await payments.OpenAsync();
            await using NpgsqlTransaction appTransaction = await app.BeginTransactionAsync();

            await using (RunnerProcess runner = RunnerProcess.Start(_output, "apply", PaymentsDatabase.Context, "apply", payments.ConnectionString, "--lock-timeout", "30000"))
            {
                // Once the backfill runs, the app holds a row near the end: the batches skip it, and after the last one
                // the backfill waits for that row alone (a single-row UPDATE; a batch is one WITH statement and never waits for a row).
                if (!await PaymentsDatabase.WaitForStepStartAsync(observer, payments.BackfillStep.Index, runner, RunnerKillTests.RunTimeout))
                    Assert.Fail("the run ended before the backfill: " + await runner.EndedEarlyAsync());
                await new NpgsqlCommand($"select id from payments where id = {held} for update", app, appTransaction).ExecuteScalarAsync();
                Backend waiting = await ServerSessions.WaitForAsync(observer, b => b.WaitEventType == "Lock" && b.Query.StartsWith("UPDATE", StringComparison.Ordinal), RunnerKillTests.RunTimeout, runner);
                _output.WriteLine("terminating " + waiting);
                await ServerSessions.TerminateAsync(observer, waiting.Pid);
                Assert.Equal(1, await runner.WaitForExitAsync(RunnerKillTests.RunTimeout));
                AssertCodedError(runner, payments.BackfillStep);
            }
            await appTransaction.RollbackAsync();
            await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
            await payments.AssertStateConsistentAsync(_output, held);

            // The batches went past the held row: it is the only one left, and the step is not recorded done.
            var (status, _) = (await payments.StateAsync())[payments.BackfillStep.Index];
            Assert.NotEqual("completed", status);
            Assert.Equal(1L, await payments.ScalarAsync<long>($"select count(*) from payments where ({payments.BackfillStep.Backfill!.Where})"));
            Assert.Equal(1L, await payments.ScalarAsync<long>($"select count(*) from payments where id = {held} and ({payments.BackfillStep.Backfill!.Where})"));

            await using (RunnerProcess rerun = RunnerProcess.Start(_output, "apply (rerun)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
                Assert.Equal(0, await rerun.WaitForExitAsync(RunnerKillTests.RunTimeout));
            await payments.AssertExpandedExactlyAsync();
        }

        [Fact]
        public async Task Terminated_mid_DDL_while_waiting_for_a_lock_nothing_of_the_step_is_left_and_the_rerun_runs_it()
        {
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 5_000, _output);
            await using NpgsqlConnection observer = await payments.OpenAsync();
            string before = await payments.SchemaAsync();

            // A reader's open transaction: ADD COLUMN's ACCESS EXCLUSIVE request waits for it (the runner's lock_timeout is long here).
            await using NpgsqlConnection reader = await payments.OpenAsync();
            await using NpgsqlTransaction readerTransaction = await reader.BeginTransactionAsync();
            await new NpgsqlCommand("select count(*) from payments", reader, readerTransaction).ExecuteScalarAsync();

            PlanStep first = payments.Steps[0];
            await using (RunnerProcess runner = RunnerProcess.Start(_output, "apply", PaymentsDatabase.Context, "apply", payments.ConnectionString, "--lock-timeout", "30000"))
            {
                Backend ddl = await ServerSessions.WaitForAsync(observer, b => b.WaitEventType == "Lock" && b.Query.Contains("ALTER TABLE", StringComparison.Ordinal), RunnerKillTests.RunTimeout, runner);
                _output.WriteLine("terminating " + ddl);
                await ServerSessions.TerminateAsync(observer, ddl.Pid);
                Assert.Equal(1, await runner.WaitForExitAsync(RunnerKillTests.RunTimeout));
                AssertCodedError(runner, first);
            }
            await readerTransaction.RollbackAsync();
            await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
            await payments.AssertStateConsistentAsync(_output);
            Assert.Equal(before, await payments.SchemaAsync());

            await using (RunnerProcess rerun = RunnerProcess.Start(_output, "apply (rerun)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
                Assert.Equal(0, await rerun.WaitForExitAsync(RunnerKillTests.RunTimeout));
            await payments.AssertExpandedExactlyAsync();
        }

        [Fact]
        public async Task Terminated_mid_concurrent_index_build_the_rerun_replaces_the_invalid_leftover()
        {
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 5_000, _output);
            await using NpgsqlConnection observer = await payments.OpenAsync();

            // An old snapshot in this database: CREATE INDEX CONCURRENTLY waits for it in its last phase, after the index exists.
            await using NpgsqlConnection reader = await payments.OpenAsync();
            await using NpgsqlTransaction readerTransaction = await reader.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
            await new NpgsqlCommand("select 1", reader, readerTransaction).ExecuteScalarAsync();

            PlanStep index = payments.Steps.Single(s => s.Kind == "create-index-concurrently");
            await using (RunnerProcess runner = RunnerProcess.Start(_output, "apply", PaymentsDatabase.Context, "apply", payments.ConnectionString))
            {
                Backend build = await ServerSessions.WaitForAsync(observer, b => b.WaitEventType == "Lock" && b.Query.Contains("CREATE INDEX CONCURRENTLY", StringComparison.Ordinal), RunnerKillTests.RunTimeout, runner);
                _output.WriteLine("terminating " + build);
                await ServerSessions.TerminateAsync(observer, build.Pid);
                Assert.Equal(1, await runner.WaitForExitAsync(RunnerKillTests.RunTimeout));
                AssertCodedError(runner, index);
            }
            await readerTransaction.RollbackAsync();
            await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
            await payments.AssertStateConsistentAsync(_output);
            Assert.False(await payments.ScalarAsync<bool>("select indisvalid from pg_index where indexrelid = '\"IX_payments_label_key\"'::regclass"));

            await using (RunnerProcess rerun = RunnerProcess.Start(_output, "apply (rerun)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
            {
                Assert.Equal(0, await rerun.WaitForExitAsync(RunnerKillTests.RunTimeout));
                Assert.Contains(rerun.Lines, l => l.Contains("dropped an invalid index left by an earlier failed build"));
            }
            await payments.AssertExpandedExactlyAsync();
        }

        [Fact]
        public async Task Terminated_while_writing_the_EF_history_row_every_step_stays_recorded_and_the_rerun_writes_it()
        {
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 2_000, _output);
            await using NpgsqlConnection observer = await payments.OpenAsync();

            // SHARE on the history table lets the runner read it but makes its INSERT wait: the last moment of the expand phase.
            await using NpgsqlConnection holder = await payments.OpenAsync();
            await using NpgsqlTransaction holderTransaction = await holder.BeginTransactionAsync();
            await new NpgsqlCommand("lock table \"__EFMigrationsHistory\" in share mode", holder, holderTransaction).ExecuteNonQueryAsync();

            await using (RunnerProcess runner = RunnerProcess.Start(_output, "apply", PaymentsDatabase.Context, "apply", payments.ConnectionString, "--lock-timeout", "30000"))
            {
                Backend insert = await ServerSessions.WaitForAsync(observer, b => b.WaitEventType == "Lock" && b.Query.Contains("__EFMigrationsHistory", StringComparison.Ordinal) && b.Query.TrimStart().StartsWith("INSERT", StringComparison.OrdinalIgnoreCase), RunnerKillTests.RunTimeout, runner);
                _output.WriteLine("terminating " + insert);
                await ServerSessions.TerminateAsync(observer, insert.Pid);
                Assert.Equal(1, await runner.WaitForExitAsync(RunnerKillTests.RunTimeout));
                Assert.Contains(runner.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^error: SM10[0-9][0-9]: ") && l.Contains(PaymentsDatabase.MigrationId, StringComparison.Ordinal));
                Assert.DoesNotContain(runner.Lines, l => l.Contains("unexpected", StringComparison.Ordinal));
            }
            await holderTransaction.RollbackAsync();
            await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
            await payments.AssertStateConsistentAsync(_output);
            Assert.False(await payments.HistoryRowExistsAsync());
            var states = await payments.StateAsync();
            Assert.All(payments.ExpandSteps, s => Assert.Equal("completed", states[s.Index].Status));

            await using (RunnerProcess rerun = RunnerProcess.Start(_output, "apply (rerun)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
            {
                Assert.Equal(0, await rerun.WaitForExitAsync(RunnerKillTests.RunTimeout));
                Assert.DoesNotContain(rerun.Lines, l => l.Contains(": running (", StringComparison.Ordinal));
            }
            await payments.AssertExpandedExactlyAsync();
        }

        /// <summary>
        /// The runner's last words: an SM10xx error naming the step. The code is SM1002 (the step failed: its session
        /// was terminated) or, where the executor lock lives on the work session, SM1005 (the lock went with it).
        /// </summary>
        private static void AssertCodedError(RunnerProcess runner, PlanStep step)
            => Assert.Contains(runner.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^error: SM10[0-9][0-9]: ") && l.Contains(step.Name, StringComparison.Ordinal));

        /// <summary>When the connection is cut around a step's COMMIT.</summary>
        public enum CommitCut
        {
            /// <summary>Terminated after the step's SQL and its "completed" mark, before COMMIT is sent: nothing commits.</summary>
            BeforeCommit,

            /// <summary>Terminated a random 0-3 ms after the COMMIT starts on its way: either outcome, never half.</summary>
            DuringCommit,

            /// <summary>Terminated right after COMMIT returned, before the engine's next statement: the step is done and recorded.</summary>
            AfterCommit,
        }

        [Fact]
        public async Task A_connection_cut_at_COMMIT_leaves_each_step_fully_recorded_or_not_at_all_and_the_rerun_completes()
        {
            Random random = FaultSeed.Create(_output, nameof(A_connection_cut_at_COMMIT_leaves_each_step_fully_recorded_or_not_at_all_and_the_rerun_completes));
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 5_000, _output);
            await using NpgsqlConnection observer = await payments.OpenAsync();

            // Every expand step that commits its own transaction, in order: each run is cut at one of them and the next run goes on from there.
            int cuts = 0;
            foreach (PlanStep step in payments.ExpandSteps.Where(s => s.Transaction == StepTransaction.Own))
            {
                var cut = (CommitCut)random.Next(3);
                int delay = random.Next(0, 4);
                if ((await payments.StateAsync()).TryGetValue(step.Index, out var done) && done.Status == "completed")
                    continue; // a cut during an earlier commit landed after this step
                await using var terminator = await CommitTerminator.CreateAsync(payments.TestConnectionString, step.Index, cut, delay);
                Exception? failure = null;
                using (var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(PaymentsContext).Assembly, PaymentsDatabase.Context, payments.ConnectionString)))
                {
                    var engine = new MigrationEngine(catalog, new EngineOptions { ConnectionString = payments.ConnectionString, StepObserver = terminator, Log = new EngineApplyTests.TestLog(_output) });
                    try
                    {
                        await engine.ApplyAsync();
                    }
                    catch (Exception exception)
                    {
                        failure = exception;
                    }
                }
                await terminator.WaitAsync();
                PaymentsDatabase.ClearPool(payments.ConnectionString);
                cuts++;
                _output.WriteLine($"step {step.Index} ({step.Kind}) cut {cut}: {failure?.GetType().Name}: {failure?.Message}");
                Assert.True(terminator.Fired, $"step {step.Index} was not reached");
                if (failure is null && cut == CommitCut.DuringCommit)
                    break; // the cut landed after the run had finished; the checks below the loop apply
                var coded = Assert.IsType<EngineException>(failure);
                Assert.Matches("^SM10[0-9][0-9]$", coded.Code);

                await ServerSessions.WaitUntilGoneAsync(observer, RunnerKillTests.SessionsGone);
                await payments.AssertStateConsistentAsync(_output);
                var states = await payments.StateAsync();
                bool recorded = states.TryGetValue(step.Index, out var state) && state.Status == "completed";
                if (states.Any(s => s.Key > step.Index && s.Value.Status == "completed"))
                {
                    // The cut landed after the run had moved on (a later step may already have changed what this one did, e.g. dropped a helper check).
                    Assert.True(recorded, $"step {step.Index} ({step.Kind}) is not recorded completed though later steps are");
                    continue;
                }
                bool inPlace = await payments.ScalarAsync<bool>(step.VerificationSql!);
                Assert.True(recorded == inPlace, $"step {step.Index} ({step.Kind}) after a cut {cut}: recorded completed {recorded}, in place {inPlace}");
                if (cut == CommitCut.BeforeCommit)
                    Assert.False(recorded);
                if (cut == CommitCut.AfterCommit)
                    Assert.True(recorded);
            }
            Assert.True(cuts >= 3, $"only {cuts} steps were cut");

            await using (RunnerProcess rerun = RunnerProcess.Start(_output, "apply (rerun)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
                Assert.Equal(0, await rerun.WaitForExitAsync(RunnerKillTests.RunTimeout));
            await payments.AssertExpandedExactlyAsync();
        }

        /// <summary>Terminates the executor's own session from a second connection at the chosen moment around one step's COMMIT.</summary>
        private sealed class CommitTerminator : IStepObserver, IAsyncDisposable
        {
            private readonly NpgsqlConnection _killer;
            private readonly int _stepIndex;
            private readonly CommitCut _cut;
            private readonly int _delayMs;
            private Task _pending = Task.CompletedTask;

            private CommitTerminator(NpgsqlConnection killer, int stepIndex, CommitCut cut, int delayMs)
            {
                _killer = killer;
                _stepIndex = stepIndex;
                _cut = cut;
                _delayMs = delayMs;
            }

            /// <summary>Opens the second connection up front, so that the terminate lands within a few milliseconds of the chosen moment.</summary>
            public static async Task<CommitTerminator> CreateAsync(string connectionString, int stepIndex, CommitCut cut, int delayMs)
            {
                var killer = new NpgsqlConnection(connectionString);
                await killer.OpenAsync();
                return new CommitTerminator(killer, stepIndex, cut, delayMs);
            }

            public bool Fired { get; private set; }

            public Task BeforeStepAsync(PlanStep step, NpgsqlConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

            public async Task BeforeCommitAsync(PlanStep step, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
            {
                if (step.Index != _stepIndex || Fired || _cut == CommitCut.AfterCommit)
                    return;
                Fired = true;
                int pid = connection.ProcessID;
                if (_cut == CommitCut.BeforeCommit)
                {
                    await TerminateAsync(pid);
                    return;
                }
                _pending = Task.Run(async () =>
                {
                    if (_delayMs > 0)
                        await Task.Delay(_delayMs);
                    await TerminateAsync(pid);
                });
            }

            public async Task AfterStepAsync(PlanStep step, NpgsqlConnection connection, Exception? failure, CancellationToken cancellationToken)
            {
                if (step.Index != _stepIndex || Fired || _cut != CommitCut.AfterCommit || failure is not null)
                    return;
                Fired = true;
                await TerminateAsync(connection.ProcessID);
            }

            private async Task TerminateAsync(int pid)
            {
                await ServerSessions.TerminateAsync(_killer, pid);
                // pg_terminate_backend only signals: wait until the session is really gone, as a cut connection would be.
                await using var gone = new NpgsqlCommand("select count(*) from pg_stat_activity where pid = @pid", _killer);
                gone.Parameters.AddWithValue("pid", pid);
                for (int i = 0; i < 200 && (long)(await gone.ExecuteScalarAsync())! > 0; i++)
                    await Task.Delay(10);
            }

            /// <summary>Waits for a terminate still on its way.</summary>
            public Task WaitAsync() => _pending;

            public async ValueTask DisposeAsync()
            {
                await _pending;
                await _killer.DisposeAsync();
            }
        }
    }
}
