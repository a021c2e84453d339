using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Execution;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    [Collection(PostgresCollection.Name)]
    public sealed class BlockingStepRunnerTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public BlockingStepRunnerTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private static LockRetryPolicy ShortPolicy(int maxAttempts) => new()
        {
            LockTimeout = TimeSpan.FromMilliseconds(200),
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
            MaxAttempts = maxAttempts,
            MaxTotalTime = TimeSpan.FromSeconds(30),
        };

        [Fact]
        public async Task Retries_behind_a_conflicting_lock_and_succeeds_after_it_is_released()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key); insert into t select generate_series(1, 100)");

            await using NpgsqlConnection blocker = await database.OpenAsync();
            NpgsqlTransaction held = await blocker.BeginTransactionAsync();
            await new NpgsqlCommand("LOCK TABLE t IN ACCESS SHARE MODE", blocker, held).ExecuteNonQueryAsync();
            Task release = Task.Delay(1500).ContinueWith(_ => held.Commit());

            await using ConcurrentReaders readers = await ConcurrentReaders.StartAsync(database.ConnectionString, "select count(*) from t");
            await using NpgsqlConnection connection = await database.OpenAsync();
            StepResult<int> result = await new BlockingStepRunner(ShortPolicy(maxAttempts: 50))
                .RunSqlAsync(connection, "ALTER TABLE t ADD COLUMN c int", attempt => _output.WriteLine(attempt.ToString()));
            await release;
            var (reads, maxReadMs) = await readers.StopAsync();

            _output.WriteLine($"{result.Attempts.Count} attempts in {result.Duration.TotalMilliseconds:0} ms; readers: {reads} reads, slowest {maxReadMs:0} ms");
            Assert.True(result.Retries >= 1, "the first attempt times out behind the blocker");
            Assert.All(result.Attempts.Take(result.Attempts.Count - 1), attempt => Assert.Equal(AttemptOutcome.LockTimeout, attempt.Outcome));
            Assert.Equal(AttemptOutcome.Succeeded, result.Attempts.Last().Outcome);
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from information_schema.columns where table_name = 't' and column_name = 'c'"));
        }

        [Fact]
        public async Task Gives_up_with_a_clear_error_when_the_blocker_never_releases_and_readers_keep_flowing()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key); insert into t select generate_series(1, 100)");

            await using NpgsqlConnection blocker = await database.OpenAsync();
            NpgsqlTransaction held = await blocker.BeginTransactionAsync();
            await new NpgsqlCommand("LOCK TABLE t IN ACCESS SHARE MODE", blocker, held).ExecuteNonQueryAsync();

            await using NpgsqlConnection connection = await database.OpenAsync();
            ConcurrentReaders readers = await ConcurrentReaders.StartAsync(database.ConnectionString, "select count(*) from t");
            var failure = await Assert.ThrowsAsync<StepFailedException>(() =>
                new BlockingStepRunner(ShortPolicy(maxAttempts: 5)).RunSqlAsync(connection, "ALTER TABLE t ADD COLUMN c int"));
            var (reads, maxReadMs) = await readers.StopAsync();

            _output.WriteLine(failure.Message);
            _output.WriteLine($"with lock_timeout 200 ms: {reads} reads, slowest {maxReadMs:0} ms");
            Assert.True(failure.RetriesExhausted);
            Assert.Equal(5, failure.Attempts.Count);
            Assert.Equal(BlockingStepRunner.LockNotAvailable, failure.SqlState);
            Assert.Contains("lock_timeout = 200ms", failure.Message);
            // Readers queue behind the waiting ALTER for at most about one lock_timeout per attempt, never for the
            // blocker's whole lifetime. Loose bound: far below the ~2 s the step spent retrying.
            Assert.True(maxReadMs < 1500, $"a reader waited {maxReadMs:0} ms");

            // For the record: the same ALTER without lock_timeout queues every reader for as long as the blocker lives.
            readers = await ConcurrentReaders.StartAsync(database.ConnectionString, "select count(*) from t");
            Task unsafeAlter = new NpgsqlCommand("ALTER TABLE t ADD COLUMN c int", connection).ExecuteNonQueryAsync();
            await Task.Delay(1000);
            await held.RollbackAsync();
            await unsafeAlter;
            (reads, maxReadMs) = await readers.StopAsync();
            _output.WriteLine($"without lock_timeout (blocker held 1 s more): {reads} reads, slowest {maxReadMs:0} ms");
        }

        [Fact]
        public async Task Every_attempt_runs_with_lock_timeout_and_it_does_not_outlive_the_transaction()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await using NpgsqlConnection connection = await database.OpenAsync();
            int calls = 0;
            var runner = new BlockingStepRunner(ShortPolicy(maxAttempts: 3));

            StepResult<string> result = await runner.RunAsync(connection, async (transaction, token) =>
            {
                string setting = (string)(await new NpgsqlCommand("SHOW lock_timeout", connection, transaction).ExecuteScalarAsync(token))!;
                if (++calls == 1)
                    throw new PostgresException("deadlock detected", "ERROR", "ERROR", BlockingStepRunner.DeadlockDetected);
                return setting;
            });

            Assert.Equal("200ms", result.Value);
            Assert.Equal(new[] { AttemptOutcome.Deadlock, AttemptOutcome.Succeeded }, result.Attempts.Select(a => a.Outcome));
            Assert.True(result.Attempts[1].BackoffBefore > TimeSpan.Zero);
            Assert.Equal("0", (string)(await new NpgsqlCommand("SHOW lock_timeout", connection).ExecuteScalarAsync())!);
        }

        [Fact]
        public async Task Only_attempts_that_are_followed_by_another_say_they_will_retry()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await using NpgsqlConnection connection = await database.OpenAsync();
            var heard = new List<StepAttempt>();

            var failure = await Assert.ThrowsAsync<StepFailedException>(() => new BlockingStepRunner(ShortPolicy(maxAttempts: 3)).RunAsync<int>(
                connection,
                (transaction, token) => throw new PostgresException("deadlock detected", "ERROR", "ERROR", BlockingStepRunner.DeadlockDetected),
                heard.Add));

            Assert.True(failure.RetriesExhausted);
            Assert.Equal(new[] { true, true, false }, heard.Select(a => a.WillRetry));
            Assert.Equal(new[] { true, true, false }, failure.Attempts.Select(a => a.WillRetry));
            Assert.Contains("--lock-retries <n>, SafeMigrationsLockRetries", failure.Message);
        }

        [Fact]
        public async Task A_non_retryable_error_fails_at_once_and_rolls_back()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key)");
            await using NpgsqlConnection connection = await database.OpenAsync();

            var failure = await Assert.ThrowsAsync<StepFailedException>(() =>
                new BlockingStepRunner(ShortPolicy(maxAttempts: 5)).RunSqlAsync(connection, "ALTER TABLE t ADD COLUMN c int; ALTER TABLE t ADD COLUMN no_such_type nonsense"));

            Assert.False(failure.RetriesExhausted);
            Assert.Single(failure.Attempts);
            Assert.Equal("42704", failure.SqlState);
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from information_schema.columns where table_name = 't' and column_name = 'c'"));
        }

        [Fact]
        public void A_policy_that_could_wait_forever_is_refused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new BlockingStepRunner(new LockRetryPolicy { LockTimeout = TimeSpan.Zero }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new BlockingStepRunner(new LockRetryPolicy { MaxAttempts = 0 }));
        }
    }
}
