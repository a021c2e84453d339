using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>The executor lock cannot be lost unnoticed, and SM1005 names the process to stop.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class SessionExecutorLockTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public SessionExecutorLockTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Terminating_the_lock_holder_mid_backfill_stops_it_before_a_second_executor_starts_work()
        {
            await using TestDatabase database = await SessionFaultDatabase.CreateAsync(_server, _output);
            string? expected = await SessionFaultDatabase.ExpectedAfterBackfillAsync(database);
            // A witness written by the steps themselves: every backfill batch that commits logs its backend and time.
            await database.ExecuteAsync(@"
create table batch_log (pid int not null, at timestamptz not null);
create function log_batch() returns trigger language plpgsql as $$ begin insert into batch_log values (pg_backend_pid(), clock_timestamp()); return null; end $$;
create trigger log_batch after update on customers for each statement execute function log_batch();");

            int batches = 0;
            var midBackfill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var (first, catalog1) = SessionFaultDatabase.Engine(database.ConnectionString, _output, "Hardening", options =>
            {
                options.BackfillPause = TimeSpan.FromMilliseconds(100);
                options.ConfigureBackfill = backfill =>
                {
                    backfill.InitialBatchSize = backfill.MinBatchSize = backfill.MaxBatchSize = 500;
                    Action<Backfill.BackfillProgress>? inner = backfill.Progress;
                    backfill.Progress = progress =>
                    {
                        inner?.Invoke(progress);
                        if (Interlocked.Increment(ref batches) == 3)
                            midBackfill.TrySetResult();
                    };
                };
            });
            DateTime terminatedAt;
            int firstBackend;
            using (catalog1)
            {
                Task firstRun = first.ApplyAsync();
                Assert.True(await Task.WhenAny(midBackfill.Task, firstRun, Task.Delay(TimeSpan.FromSeconds(60))) == midBackfill.Task, "the backfill never got going");

                // What the old SM1005 advice suggested for a "stale" holder: end its session.
                firstBackend = await database.ScalarAsync<int>($"select pid from pg_locks where locktype = 'advisory' and granted and classid::bigint = ({ExecutorLock.Key} >> 32) and objid::bigint = ({ExecutorLock.Key} & 4294967295) and database = (select oid from pg_database where datname = '{database.Name}')");
                terminatedAt = await database.ScalarAsync<DateTime>($"select clock_timestamp() from (select pg_terminate_backend({firstBackend}, 5000)) t");

                // A second executor starts at once and gets the lock.
                var (second, catalog2) = SessionFaultDatabase.Engine(database.ConnectionString, _output, "Hardening");
                using (catalog2)
                {
                    Task secondRun = second.ApplyAsync();
                    EngineException failure = await Assert.ThrowsAsync<EngineException>(() => firstRun);
                    _output.WriteLine($"first executor: {failure.Code}: {failure.Message}");
                    // Ended between batches, the lock check stops it (SM1005); ended under a batch, the batch fails
                    // (SM1002) and the message says the lock went with the session.
                    Assert.True(failure.Code == EngineCodes.ExecutorLockHeld || failure.Code == EngineCodes.StepFailed, failure.Code);
                    Assert.Contains(failure.Code == EngineCodes.ExecutorLockHeld ? $"lost the executor lock: its session (backend pid {firstBackend}) ended" : $"The executor lock ended with this session (backend pid {firstBackend})", failure.Message);
                    Assert.Contains("57P01", failure.Message);
                    await secondRun;
                }
            }

            // Never two at once: the first executor committed nothing after its session was ended, and every batch of
            // the second came after every batch of the first.
            Assert.Equal(0L, await database.ScalarAsync<long>($"select count(*) from batch_log where pid = {firstBackend} and at >= '{terminatedAt:O}'::timestamptz"));
            Assert.True(await database.ScalarAsync<long>($"select count(*) from batch_log where pid = {firstBackend}") >= 3);
            Assert.True(await database.ScalarAsync<bool>($"select coalesce(max(at) filter (where pid = {firstBackend}) < min(at) filter (where pid <> {firstBackend}), false) from batch_log"));

            // Exact result: no row lost or skipped.
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
            Assert.Equal(expected, await SessionFaultDatabase.ActualAsync(database));
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" like '%Hardening'"));
        }

        [Fact]
        public async Task SM1005_names_the_process_to_stop_and_advises_terminating_only_a_certainly_stale_holder()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            int gonePid = ExitedProcessId();

            // A holder on another host: it cannot be checked from here, so: stop that process.
            await using (NpgsqlConnection other = await HolderAsync(database, $"SafeMigrations executor pid 4321 on build-7", takeLock: true, sql: null))
            {
                var refused = await Assert.ThrowsAsync<ExecutorLockTakenException>(() => ExecutorLock.AcquireAsync(database.ConnectionString));
                _output.WriteLine(refused.Message);
                Assert.Contains($"process 4321 on build-7, backend pid {other.ProcessID}, connected since ", refused.Message);
                Assert.Contains("stop process 4321 on build-7", refused.Message);
                Assert.DoesNotContain("pg_terminate_backend", refused.Message);
            }

            // A holder whose process on this host is gone, idle: certainly stale, so the exact advice.
            await using (NpgsqlConnection stale = await HolderAsync(database, $"SafeMigrations executor pid {gonePid} on {Environment.MachineName}", takeLock: true, sql: null))
            {
                var refused = await Assert.ThrowsAsync<ExecutorLockTakenException>(() => ExecutorLock.AcquireAsync(database.ConnectionString));
                _output.WriteLine(refused.Message);
                Assert.Contains($"process {gonePid} no longer runs on this host", refused.Message);
                Assert.Contains($"SELECT pg_terminate_backend({stale.ProcessID})", refused.Message);
            }
        }

        [Fact]
        public async Task A_new_executor_waits_for_an_earlier_executors_statement_that_still_runs_then_reports_it()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            int gonePid = ExitedProcessId();
            string leftoverName = $"SafeMigrations executor pid {gonePid} on {Environment.MachineName}";

            // A statement of a killed executor still running on the server (like its CREATE INDEX CONCURRENTLY): waited for.
            await using (NpgsqlConnection leftover = await HolderAsync(database, leftoverName, takeLock: false, sql: null))
            {
                Task sleeping = Execute(leftover, "select pg_sleep(3)");
                await Task.Delay(300);
                var log = new EngineApplyTests.TestLog(_output);
                var (engine, catalog) = SessionFaultDatabase.Engine(database.ConnectionString, _output, "Initial", o => o.EarlierExecutorWait = TimeSpan.FromSeconds(30), log);
                var clock = Stopwatch.StartNew();
                using (catalog)
                    await engine.ApplyAsync();
                await sleeping;
                Assert.Contains(log.Lines, l => l.StartsWith("progress: waiting for backend pid " + leftover.ProcessID + $" (process {gonePid} on {Environment.MachineName}, which no longer runs, connected since ") && l.Contains("active for") && l.Contains("pg_sleep(3)"));
                Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2), "did not wait");
                Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\""));
            }

            // One that runs past the wait: SM1005 with the pid and the exact cancel advice; nothing ran.
            await using (NpgsqlConnection leftover = await HolderAsync(database, leftoverName, takeLock: false, sql: null))
            {
                Task sleeping = Execute(leftover, "select pg_sleep(60)");
                await Task.Delay(300);
                var (engine, catalog) = SessionFaultDatabase.Engine(database.ConnectionString, _output, "Initial", o => o.EarlierExecutorWait = TimeSpan.FromSeconds(1.5));
                EngineException failure;
                using (catalog)
                    failure = await Assert.ThrowsAsync<EngineException>(() => engine.RollbackAsync());
                _output.WriteLine(failure.Message);
                Assert.Equal(EngineCodes.ExecutorLockHeld, failure.Code);
                Assert.Contains($"backend pid {leftover.ProcessID}", failure.Message);
                Assert.Contains($"SELECT pg_cancel_backend({leftover.ProcessID})", failure.Message);
                Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\""));
                await database.ExecuteAsync($"select pg_cancel_backend({leftover.ProcessID})");
                await Assert.ThrowsAnyAsync<Exception>(() => sleeping);
            }
        }

        [Fact]
        public async Task The_checks_notice_a_released_lock_and_an_ended_session()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await using NpgsqlConnection session = await database.OpenAsync();
            await using ExecutorLock held = await ExecutorLock.AcquireAsync(session, TimeSpan.Zero, null);
            await held.EnsureHeldAsync();
            await held.EnsureSessionAliveAsync();

            // Raw SQL of a migration could release it (DISCARD ALL does): the per-step check sees it.
            await Execute(session, "select pg_advisory_unlock_all()");
            var released = await Assert.ThrowsAsync<ExecutorLockLostException>(() => held.EnsureHeldAsync());
            Assert.Contains("the session no longer holds it", released.Message);

            // A terminated session: both checks stop the executor.
            await database.ExecuteAsync($"select pg_terminate_backend({session.ProcessID}, 5000)");
            var ended = await Assert.ThrowsAsync<ExecutorLockLostException>(() => held.EnsureSessionAliveAsync());
            _output.WriteLine(ended.Message);
            Assert.StartsWith($"lost the executor lock: its session (backend pid {held.BackendPid}) ended (", ended.Message);
            await Assert.ThrowsAsync<ExecutorLockLostException>(() => held.EnsureHeldAsync());
        }

        private static async Task<NpgsqlConnection> HolderAsync(TestDatabase database, string applicationName, bool takeLock, string? sql)
        {
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = applicationName, Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            if (takeLock)
                await Execute(connection, $"select pg_advisory_lock({ExecutorLock.Key})");
            return connection;
        }

        private static async Task Execute(NpgsqlConnection connection, string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }

        /// <summary>The id of a process of this host that has certainly ended.</summary>
        private static int ExitedProcessId()
        {
            using Process process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
            process.WaitForExit();
            return process.Id;
        }
    }
}
