using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Execution;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>A batch never waits for a row an application transaction holds: it skips it, and the row is filled once released.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class KeysetBackfillLockedRowTests
    {
        private const string Table = "create table t (id int primary key, src int not null, dst int); insert into t (id, src) select g, g from generate_series(1, 3000) g";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public KeysetBackfillLockedRowTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private static KeysetBackfill Doubling() => new KeysetBackfill(null, "t", "dst = src * 2", "dst IS NULL");

        [Fact]
        public async Task Batches_go_past_a_row_an_open_transaction_holds_and_the_row_is_filled_with_its_committed_value_once_released()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(Table);
            // The application's transaction holds row 1500 (an uncommitted update of its source value).
            await using NpgsqlConnection holder = await database.OpenAsync();
            await using NpgsqlTransaction held = await holder.BeginTransactionAsync();
            await using (var update = new NpgsqlCommand("update t set src = 7 where id = 1500", holder, held))
                await update.ExecuteNonQueryAsync();

            await using NpgsqlConnection connection = await database.OpenAsync();
            await using NpgsqlConnection observer = await database.OpenAsync();
            // The progress callback runs on the backfill's thread: its own connection, not the observer's.
            await using NpgsqlConnection progressReader = await database.OpenAsync();
            var heard = new List<StepAttempt>();
            object?[]? seenPastTheRow = null;
            var options = new BackfillOptions
            {
                InitialBatchSize = 500, MinBatchSize = 500, MaxBatchSize = 500,
                LockPolicy = new LockRetryPolicy { LockTimeout = TimeSpan.FromSeconds(20), InitialBackoff = TimeSpan.FromMilliseconds(10) },
                LockAttempt = heard.Add,
                Progress = progress =>
                {
                    // The batch over (1000, 1500] has committed while the holder still holds row 1500: it did not wait for it.
                    if (seenPastTheRow is null && progress.Position.LastKey[0] == "1500")
                    {
                        using var read = new NpgsqlCommand("select (select dst from t where id = 1499), (select dst from t where id = 1500), (select count(*) from t where dst is null)", progressReader);
                        using NpgsqlDataReader reader = read.ExecuteReader();
                        reader.Read();
                        seenPastTheRow = new object?[] { reader.GetValue(0), reader.GetValue(1), reader.GetValue(2) };
                    }
                },
            };

            Task<BackfillResult> run = Task.Run(() => Doubling().RunAsync(connection, options));
            // After the last batch the sweep waits for row 1500 alone; meanwhile another writer changes a row the sweep does not hold.
            await WaitUntilWaitingForARowLockAsync(observer, connection.ProcessID, run);
            await using (var other = await database.OpenAsync())
            {
                await using var write = new NpgsqlCommand("set lock_timeout = '5s'; update t set src = src + 1 where id = 1499", other);
                Assert.Equal(1, await write.ExecuteNonQueryAsync());
            }
            Assert.False(run.IsCompleted, "the sweep still waits for the held row");
            await held.CommitAsync();
            BackfillResult result = await run;

            Assert.NotNull(seenPastTheRow);
            Assert.Equal(2998, Convert.ToInt32(seenPastTheRow![0]));
            Assert.Equal(DBNull.Value, seenPastTheRow[1]);
            Assert.Equal(1L + 1500, Convert.ToInt64(seenPastTheRow[2]));
            Assert.DoesNotContain(heard, a => a.Outcome != AttemptOutcome.Succeeded);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(3000L, result.RowsUpdated);
            // Filled from the holder's committed value, every other row from its own.
            Assert.Equal(14, await database.ScalarAsync<int>("select dst from t where id = 1500"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from t where dst is distinct from src * 2 and id <> 1499"));
            _output.WriteLine($"{result.Batches} batches, {result.RowsUpdated} rows, {result.Retries} retries");
        }

        [Fact]
        public async Task A_row_held_past_the_lock_retries_stops_the_backfill_naming_the_row_and_a_rerun_after_its_release_fills_only_it()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(Table + "; create table saved (n serial primary key, position text not null)");
            await using NpgsqlConnection holder = await database.OpenAsync();
            await using NpgsqlTransaction held = await holder.BeginTransactionAsync();
            await using (var update = new NpgsqlCommand("select 1 from t where id = 50 for update", holder, held))
                await update.ExecuteNonQueryAsync();

            await using NpgsqlConnection connection = await database.OpenAsync();
            var heard = new List<StepAttempt>();
            BackfillOptions Options() => new BackfillOptions
            {
                InitialBatchSize = 1000, MinBatchSize = 1000, MaxBatchSize = 1000,
                LockPolicy = new LockRetryPolicy { LockTimeout = TimeSpan.FromMilliseconds(100), InitialBackoff = TimeSpan.FromMilliseconds(10), MaxAttempts = 2 },
                LockAttempt = heard.Add,
                RecordPositionAsync = async (transaction, position, token) =>
                {
                    await using var insert = new NpgsqlCommand("insert into saved (position) values ($1)", connection, transaction) { Parameters = { new NpgsqlParameter { Value = position.Serialize() } } };
                    await insert.ExecuteNonQueryAsync(token);
                },
            };

            var failure = await Assert.ThrowsAsync<StepFailedException>(() => Doubling().RunAsync(connection, Options()));
            _output.WriteLine(failure.Message);
            // Retries exhausted: the engine reports it as SM1003 (LockRetriesExhausted) with the step's name.
            Assert.True(failure.RetriesExhausted);
            Assert.Contains("Row (\"id\") = (50) of \"t\" stayed locked", failure.Message);
            Assert.Contains("pg_stat_activity", failure.Message);
            Assert.Equal(new[] { AttemptOutcome.LockTimeout, AttemptOutcome.LockTimeout }, heard.Where(a => a.Outcome != AttemptOutcome.Succeeded).Select(a => a.Outcome));
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from t where dst is null"));

            await held.RollbackAsync();
            BackfillPosition last = BackfillPosition.Parse((await database.ScalarAsync<string>("select position from saved order by n desc limit 1"))!);
            BackfillOptions rerun = Options();
            rerun.ResumeFrom = last;
            BackfillResult result = await Doubling().RunAsync(connection, rerun);

            Assert.Equal(1L, result.RowsUpdated);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from t where dst is distinct from src * 2"));
        }

        [Fact]
        public async Task A_batched_delete_skips_a_held_row_and_deletes_it_once_released()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(Table);
            await using NpgsqlConnection holder = await database.OpenAsync();
            await using NpgsqlTransaction held = await holder.BeginTransactionAsync();
            // KEY SHARE is what a foreign-key check takes: it blocks a delete, not an update of other columns.
            await using (var share = new NpgsqlCommand("select 1 from t where id = 2000 for key share", holder, held))
                await share.ExecuteNonQueryAsync();

            await using NpgsqlConnection connection = await database.OpenAsync();
            await using NpgsqlConnection observer = await database.OpenAsync();
            Task<BackfillResult> run = Task.Run(() => KeysetBackfill.Delete(null, "t", "id % 2 = 0").RunAsync(connection, new BackfillOptions { InitialBatchSize = 400, MinBatchSize = 400, MaxBatchSize = 400 }));
            await WaitUntilWaitingForARowLockAsync(observer, connection.ProcessID, run);
            // Every other even row is gone while the held one waits for its holder.
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from t where id % 2 = 0"));
            await held.CommitAsync();
            BackfillResult result = await run;

            Assert.Equal(1500L, result.RowsUpdated);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(1500L, await database.ScalarAsync<long>("select count(*) from t"));
        }

        /// <summary>Polls pg_stat_activity until the backfill's session waits for a lock (the sweep, on the held row); fails if the run ends first.</summary>
        private static async Task WaitUntilWaitingForARowLockAsync(NpgsqlConnection observer, int pid, Task run)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(25));
            while (true)
            {
                Assert.False(run.IsCompleted, "the backfill ended without waiting for the held row: " + (run.Exception?.GetBaseException().Message ?? "finished"));
                await using var query = new NpgsqlCommand("select wait_event_type = 'Lock' and query not like 'WITH%' from pg_stat_activity where pid = $1", observer) { Parameters = { new NpgsqlParameter { Value = pid } } };
                if (await query.ExecuteScalarAsync(deadline.Token) is true)
                    return;
                await Task.Delay(20, deadline.Token);
            }
        }
    }
}
