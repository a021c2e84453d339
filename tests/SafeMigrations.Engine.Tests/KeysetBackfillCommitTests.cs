using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Execution;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>How a keyset batch commits: its position record rides in its transaction, and its commit may skip the WAL flush wait.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class KeysetBackfillCommitTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public KeysetBackfillCommitTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task A_position_recorded_in_the_batch_commits_with_it_and_a_failure_before_the_commit_rolls_back_both()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(@"
create table t (id int primary key, hits int not null default 0);
insert into t (id) select g from generate_series(1, 5000) g;
create table saved (batch int primary key, position text not null);");
            var backfill = new KeysetBackfill("public", "t", "hits = hits + 1") { VerificationQuery = "select count(*) from t where hits <> 1" };
            await using NpgsqlConnection connection = await database.OpenAsync();

            // The third batch writes its record, then dies before its commit.
            int records = 0;
            var first = new BackfillOptions
            {
                InitialBatchSize = 1000, MinBatchSize = 1000, MaxBatchSize = 1000,
                RecordPositionAsync = async (transaction, position, token) =>
                {
                    await using (var insert = new NpgsqlCommand("insert into saved values ($1, $2)", connection, transaction))
                    {
                        insert.Parameters.AddWithValue(++records);
                        insert.Parameters.AddWithValue(position.Serialize());
                        await insert.ExecuteNonQueryAsync(token);
                    }
                    if (records == 3)
                        throw new InvalidOperationException("simulated crash before the batch's commit");
                },
            };
            await Assert.ThrowsAsync<InvalidOperationException>(() => backfill.RunAsync(connection, first));

            // Two batches with their two records; the third batch and its record are both gone.
            Assert.Equal(2000L, await database.ScalarAsync<long>("select count(*) from t where hits = 1"));
            Assert.Equal(3000L, await database.ScalarAsync<long>("select count(*) from t where hits = 0"));
            Assert.Equal(2L, await database.ScalarAsync<long>("select count(*) from saved"));
            string last = (await database.ScalarAsync<string>("select position from saved order by batch desc limit 1"))!;
            _output.WriteLine("last committed position: " + last);
            BackfillPosition resumeFrom = BackfillPosition.Parse(last);
            Assert.Equal(new[] { "2000" }, resumeFrom.LastKey);

            // The resume starts exactly after the recorded batch: no row is visited twice, none skipped.
            BackfillResult result = await backfill.RunAsync(connection, new BackfillOptions { InitialBatchSize = 1000, ResumeFrom = resumeFrom });
            Assert.Equal(3000L, result.RowsUpdated);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(5000L, await database.ScalarAsync<long>("select count(*) from t where hits = 1"));
        }

        [Fact]
        public async Task Every_recorded_position_is_the_one_progress_reports_after_the_commit_and_the_last_covers_the_table()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, done bool not null default false); insert into t (id) select g from generate_series(1, 2500) g");
            var backfill = new KeysetBackfill(null, "t", "done = true", "not done");
            await using NpgsqlConnection connection = await database.OpenAsync();

            var recorded = new List<string>();
            var reported = new List<string>();
            var options = new BackfillOptions
            {
                InitialBatchSize = 1000, MinBatchSize = 1000, MaxBatchSize = 1000,
                RecordPositionAsync = (_, position, _) =>
                {
                    recorded.Add(position.Serialize());
                    return Task.CompletedTask;
                },
                Progress = progress => reported.Add(progress.Position.Serialize()),
            };
            BackfillResult result = await backfill.RunAsync(connection, options);

            Assert.Equal(reported, recorded);
            Assert.Equal(3, recorded.Count);
            BackfillPosition final = BackfillPosition.Parse(recorded[^1]);
            Assert.Equal(new[] { "2000" }, final.LastKey);
            Assert.Equal(2500L, final.RowsVisited);
            Assert.Equal(2500L, result.RowsUpdated);
        }

        [Fact]
        public async Task Batches_commit_without_waiting_for_the_flush_by_default_and_with_the_sessions_setting_when_asked()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, mode text); insert into t (id) select g from generate_series(1, 300) g");
            await using NpgsqlConnection connection = await database.OpenAsync();
            await using (var on = new NpgsqlCommand("set synchronous_commit = on", connection))
                await on.ExecuteNonQueryAsync();
            var backfill = new KeysetBackfill(null, "t", "mode = current_setting('synchronous_commit')", "mode is null");
            var small = new BackfillOptions { InitialBatchSize = 100, MinBatchSize = 100, MaxBatchSize = 100 };

            await backfill.RunAsync(connection, small);
            Assert.Equal(300L, await database.ScalarAsync<long>("select count(*) from t where mode = 'off'"));
            // SET LOCAL: the session keeps its own setting for what runs after the batches.
            await using (var show = new NpgsqlCommand("show synchronous_commit", connection))
                Assert.Equal("on", (string?)await show.ExecuteScalarAsync());

            await database.ExecuteAsync("update t set mode = null");
            await backfill.RunAsync(connection, new BackfillOptions { InitialBatchSize = 100, MinBatchSize = 100, MaxBatchSize = 100, AsynchronousCommit = false });
            Assert.Equal(300L, await database.ScalarAsync<long>("select count(*) from t where mode = 'on'"));
        }
    }
}
