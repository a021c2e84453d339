using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.State;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    [Collection(PostgresCollection.Name)]
    public sealed class ExecutorLockTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ExecutorLockTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task A_second_executor_is_refused_with_the_holders_pid_until_the_first_releases()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            ExecutorLock first = await ExecutorLock.AcquireAsync(database.ConnectionString);

            var refused = await Assert.ThrowsAsync<ExecutorLockTakenException>(() => ExecutorLock.AcquireAsync(database.ConnectionString));
            _output.WriteLine(refused.Message);
            Assert.StartsWith($"another SafeMigrations executor is running (pid {first.BackendPid}", refused.Message);
            Assert.Equal(first.BackendPid, refused.HolderPid);

            await first.DisposeAsync();
            await using ExecutorLock second = await ExecutorLock.AcquireAsync(database.ConnectionString);
            Assert.NotEqual(0, second.BackendPid);
        }

        [Fact]
        public async Task The_lock_dies_with_its_session()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            ExecutorLock crashed = await ExecutorLock.AcquireAsync(database.ConnectionString);
            await database.ExecuteAsync($"select pg_terminate_backend({crashed.BackendPid})");
            await Task.Delay(200);

            await using ExecutorLock next = await ExecutorLock.AcquireAsync(database.ConnectionString);
            await crashed.DisposeAsync(); // releasing a lost lock is harmless
        }

        [Fact]
        public async Task The_lock_is_per_database()
        {
            await using TestDatabase one = await _server.CreateDatabaseAsync();
            await using TestDatabase two = await _server.CreateDatabaseAsync();
            await using ExecutorLock a = await ExecutorLock.AcquireAsync(one.ConnectionString);
            await using ExecutorLock b = await ExecutorLock.AcquireAsync(two.ConnectionString);
        }
    }

    [Collection(PostgresCollection.Name)]
    public sealed class StepStateStoreTests
    {
        private readonly PostgresServerFixture _server;

        public StepStateStoreTests(PostgresServerFixture server)
        {
            _server = server;
        }

        [Fact]
        public async Task Records_start_progress_completion_and_failure_and_reads_them_back()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await using NpgsqlConnection connection = await database.OpenAsync();
            var store = new StepStateStore(connection);
            await store.EnsureCreatedAsync();
            await store.EnsureCreatedAsync(); // idempotent

            const string migration = "20240101120000_Add'Orders\"";
            Assert.Null(await store.GetAsync(migration, 0));

            await store.RecordStartAsync(migration, 0, "backfill");
            await store.RecordProgressAsync(migration, 0, "{\"key\":[\"id\"],\"last\":[\"500\"],\"visited\":500}");
            StepState? interrupted = await store.GetAsync(migration, 0);
            Assert.Equal(StepStatus.Running, interrupted!.Status);
            Assert.Equal(1, interrupted.Attempts);
            Assert.Null(interrupted.FinishedAt);

            // A rerun after a crash: the attempt is counted and the position survives for the resume.
            await store.RecordStartAsync(migration, 0, "backfill");
            StepState? resumed = await store.GetAsync(migration, 0);
            Assert.Equal(2, resumed!.Attempts);
            Assert.Contains("\"500\"", resumed.Position);

            await store.RecordCompletionAsync(migration, 0);
            await store.RecordStartAsync(migration, 1, "create-index-concurrently");
            await store.RecordFailureAsync(migration, 1, "23505: could not create unique index");
            await store.RecordStartAsync("20240202000000_Other", 0, "sql");

            var steps = await store.ListAsync(migration);
            Assert.Equal(new[] { 0, 1 }, steps.Select(s => s.StepIndex));
            Assert.Equal(StepStatus.Completed, steps[0].Status);
            Assert.NotNull(steps[0].FinishedAt);
            Assert.Equal(DateTimeKind.Utc, steps[0].StartedAt.Kind);
            Assert.Equal(StepStatus.Failed, steps[1].Status);
            Assert.Equal("23505: could not create unique index", steps[1].Error);
            Assert.Equal(3, (await store.ListAsync()).Count);

            await store.RemoveAsync(migration, 1);
            Assert.Null(await store.GetAsync(migration, 1));
            await Assert.ThrowsAsync<InvalidOperationException>(() => store.RecordCompletionAsync(migration, 7));
        }

        [Fact]
        public async Task A_failure_keeps_its_code_and_a_state_table_from_before_codes_still_reads()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            // The table as earlier versions created it: no error_code column.
            await database.ExecuteAsync(@"CREATE SCHEMA safemigrations;
CREATE TABLE safemigrations.state (migration_id text NOT NULL, step_index integer NOT NULL, step_kind text NOT NULL,
    status text NOT NULL, position text, attempts integer NOT NULL DEFAULT 0, started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz, error text, PRIMARY KEY (migration_id, step_index));
INSERT INTO safemigrations.state (migration_id, step_index, step_kind, status, attempts, finished_at, error)
VALUES ('20240101000000_Old', 1, 'sql', 'failed', 1, now(), 'old failure');");
            await using NpgsqlConnection connection = await database.OpenAsync();
            var store = new StepStateStore(connection);

            StepState old = Assert.Single(await store.ListAsync());
            Assert.Equal("old failure", old.Error);
            Assert.Null(old.ErrorCode);

            await store.EnsureCreatedAsync();
            await store.RecordStartAsync("20240101000000_Old", 1, "sql");
            await store.RecordFailureAsync("20240101000000_Old", 1, "gave up waiting for locks", "SM1003");
            StepState failed = (await store.GetAsync("20240101000000_Old", 1))!;
            Assert.Equal(StepStatus.Failed, failed.Status);
            Assert.Equal("SM1003", failed.ErrorCode);

            // A new attempt clears the code with the error.
            await store.RecordStartAsync("20240101000000_Old", 1, "sql");
            Assert.Null((await store.GetAsync("20240101000000_Old", 1))!.ErrorCode);
        }
    }
}
