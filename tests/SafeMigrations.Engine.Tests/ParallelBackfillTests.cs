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
    /// <summary>A keyset backfill run by several workers, each on its own connection over its own key segment.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ParallelBackfillTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ParallelBackfillTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Three_workers_fill_every_row_while_the_new_app_version_writes()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(@"
create table items (id bigserial primary key, old int not null, new int);
insert into items (old) select g % 1000 from generate_series(1, 30000) g;
analyze items;
create function items_sync() returns trigger language plpgsql as $$ begin new.new := new.old * 2; return new; end $$;
create trigger items_sync before insert or update of old on items for each row execute function items_sync();");
            var backfill = new KeysetBackfill(null, "items", "\"new\" = \"old\" * 2", "\"new\" IS NULL")
            {
                VerificationQuery = "select count(*) from items where new is distinct from old * 2",
            };
            var progress = new List<BackfillProgress>();
            var options = new BackfillOptions
            {
                Workers = 3,
                InitialBatchSize = 300,
                LockPolicy = new LockRetryPolicy { LockTimeout = TimeSpan.FromSeconds(1), InitialBackoff = TimeSpan.FromMilliseconds(50) },
                Progress = progress.Add,
            };

            await using var writer = ConcurrentWriter.Start(database.ConnectionString, seed: 11, (connection, random, _) => random.Next(2) == 0
                ? new NpgsqlCommand("update items set old = old + 1 where id = $1", connection) { Parameters = { new NpgsqlParameter { Value = (long)random.Next(1, 30001) } } }
                : new NpgsqlCommand("insert into items (old) values ($1)", connection) { Parameters = { new NpgsqlParameter { Value = random.Next(1000) } } });
            await using NpgsqlConnection connection = await database.OpenAsync();
            BackfillResult result = await backfill.RunAsync(connection, options);
            var (operations, errors, maxStallMs) = await writer.TakeAsync();
            _output.WriteLine($"{result.RowsUpdated} rows in {result.Batches} batches; last progress: {progress.Last()}; writer {operations} operations, slowest {maxStallMs:0} ms");

            Assert.Empty(errors);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(3, result.Position!.Segments!.Count);
            Assert.All(result.Position.Segments, s => Assert.True(s.Done));
            Assert.Contains(progress, p => p.Workers == 3 && p.ToString().Contains("(3 workers)", StringComparison.Ordinal));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from items where new is distinct from old * 2"));
        }

        [Fact]
        public async Task Four_workers_walk_a_composite_key_visiting_each_row_once()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            KeysetBackfill backfill = await KeysetBackfillTests.CompositeKeyLinesAsync(database, perTenant: 2000);
            await using NpgsqlConnection connection = await database.OpenAsync();

            BackfillResult result = await backfill.RunAsync(connection, new BackfillOptions { Workers = 4, InitialBatchSize = 100, MinBatchSize = 100, MaxBatchSize = 100 });

            Assert.Equal(10000L, result.RowsUpdated);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(4, result.Position!.Segments!.Count);
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from lines where w is distinct from v + 1 or hits <> 1"));
        }

        [Fact]
        public async Task Three_workers_delete_the_matching_rows_in_batches_and_keep_the_rest()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table events (id int primary key, v int not null); insert into events select g, g from generate_series(1, 12000) g;");
            await using NpgsqlConnection connection = await database.OpenAsync();

            BackfillResult result = await KeysetBackfill.Delete(null, "events", "v % 4 = 0").RunAsync(connection, new BackfillOptions { Workers = 3, InitialBatchSize = 200, MinBatchSize = 200, MaxBatchSize = 200 });

            Assert.Equal(3000L, result.RowsUpdated);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(3, result.Position!.Segments!.Count);
            Assert.Equal(9000L, await database.ScalarAsync<long>("select count(*) from events where v % 4 <> 0"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from events where v % 4 = 0"));
        }

        [Fact]
        public async Task A_failing_worker_stops_the_others_and_its_error_is_the_steps()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, w int); insert into t (id) select g from generate_series(1, 12000) g;");
            await using NpgsqlConnection connection = await database.OpenAsync();
            // Row 8100, in the last segment's first batch, divides by zero.
            var backfill = new KeysetBackfill(null, "t", "w = 1 / (id - 8100)", "w IS NULL");

            StepFailedException failure = await Assert.ThrowsAsync<StepFailedException>(() => backfill.RunAsync(connection, new BackfillOptions { Workers = 3, InitialBatchSize = 200, MinBatchSize = 200, MaxBatchSize = 200 }));

            Assert.Contains("22012", failure.Message);
            Assert.False(failure.RetriesExhausted);
            // The others stopped: the rows left are more than the failing segment's.
            Assert.True(await database.ScalarAsync<long>("select count(*) from t where w is null and id < 8000") > 0);
        }

        [Fact]
        public async Task Cancelled_twice_and_resumed_with_other_worker_counts_every_row_is_changed_exactly_once()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            // No "still to do" condition: a batch replayed or skipped on resume shows as hits 2 or 0.
            await database.ExecuteAsync(@"
create table t (id int primary key, hits int not null default 0);
insert into t (id) select g from generate_series(1, 20000) g;
create table saved (position text);
insert into saved values (null);");
            var backfill = new KeysetBackfill("public", "t", "hits = hits + 1") { VerificationQuery = "select count(*) from t where hits <> 1" };
            await using NpgsqlConnection connection = await database.OpenAsync();

            // Workers 4, then 3 (resuming the four saved segments), then 1: each run stopped after some batches.
            foreach ((int workers, int stopAfter) in new[] { (4, 12), (3, 10) })
            {
                using var stop = new CancellationTokenSource();
                BackfillOptions options = Recorded(workers, await SavedAsync(database));
                options.Progress = p =>
                {
                    if (p.Batches == stopAfter)
                        stop.Cancel();
                };
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backfill.RunAsync(connection, options, stop.Token));
                _output.WriteLine($"after {workers} workers: {await SavedAsync(database)}");
                Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from t where hits > 1"));
            }

            BackfillPosition resumed = (await SavedAsync(database))!;
            Assert.Equal(4, resumed.Segments!.Count);
            long done = await database.ScalarAsync<long>("select count(*) from t where hits = 1");
            Assert.InRange(done, 1, 19999);
            BackfillResult result = await backfill.RunAsync(connection, Recorded(1, resumed));

            Assert.Equal(20000L - done, result.RowsUpdated);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(20000L, await database.ScalarAsync<long>("select count(*) from t where hits = 1"));
        }

        [Fact]
        public async Task A_position_saved_by_a_single_walk_resumes_split_among_workers()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, hits int not null default 0); insert into t (id) select g from generate_series(1, 12000) g");
            var backfill = new KeysetBackfill("public", "t", "hits = hits + 1") { VerificationQuery = "select count(*) from t where hits <> 1" };
            await using NpgsqlConnection connection = await database.OpenAsync();

            // The format written before workers existed.
            BackfillPosition old = BackfillPosition.Parse("{\"key\":[\"id\"],\"last\":[\"3000\"],\"visited\":3000}");
            await database.ExecuteAsync("update t set hits = 1 where id <= 3000");
            BackfillResult result = await backfill.RunAsync(connection, new BackfillOptions { Workers = 3, InitialBatchSize = 200, MinBatchSize = 200, MaxBatchSize = 200, ResumeFrom = old });

            Assert.Equal(9000L, result.RowsUpdated);
            Assert.Equal(3, result.Position!.Segments!.Count);
            Assert.Equal(new[] { "3000" }, result.Position.Segments[0].From);
            Assert.Equal(12000L, result.Position.RowsVisited);
            Assert.Equal(12000L, await database.ScalarAsync<long>("select count(*) from t where hits = 1"));
        }

        [Fact]
        public void A_segmented_position_round_trips_and_the_single_format_still_parses()
        {
            var segments = new[]
            {
                new BackfillSegment(null, new[] { "a", "5" }, new[] { "a", "3" }, 3, done: false),
                new BackfillSegment(new[] { "a", "5" }, null, null, 0, done: true),
            };
            BackfillPosition parsed = BackfillPosition.Parse(new BackfillPosition(new[] { "tenant", "id" }, segments).Serialize());

            Assert.Equal(2, parsed.Segments!.Count);
            Assert.Null(parsed.Segments[0].From);
            Assert.Equal(new[] { "a", "5" }, parsed.Segments[0].To);
            Assert.Equal(new[] { "a", "3" }, parsed.Segments[0].ResumeAfter);
            Assert.True(parsed.Segments[1].Done);
            Assert.Equal(3L, parsed.RowsVisited);
            Assert.Equal("with 1 of 2 key segments still to finish, 3 rows visited before", parsed.Describe());

            BackfillPosition single = BackfillPosition.Parse("{\"key\":[\"id\"],\"last\":[\"42\"],\"visited\":42}");
            Assert.Null(single.Segments);
            Assert.Equal("after key (42), 42 rows visited before", single.Describe());
        }

        /// <summary>Options that save the position as the engine does: whole before the workers start, each segment in its batch's transaction.</summary>
        private static BackfillOptions Recorded(int workers, BackfillPosition? resumeFrom) => new BackfillOptions
        {
            Workers = workers,
            InitialBatchSize = 250,
            MinBatchSize = 250,
            MaxBatchSize = 250,
            ResumeFrom = resumeFrom,
            RecordPositionAsync = async (transaction, position, token) =>
            {
                await using var command = new NpgsqlCommand("update saved set position = $1", transaction.Connection, transaction) { Parameters = { new NpgsqlParameter { Value = position.Serialize() } } };
                await command.ExecuteNonQueryAsync(token);
            },
            RecordSegmentAsync = async (transaction, segment, json, token) =>
            {
                await using var command = new NpgsqlCommand("update saved set position = jsonb_set(position::jsonb, array['segments', $1::text], $2::jsonb)::text", transaction.Connection, transaction)
                {
                    Parameters = { new NpgsqlParameter { Value = segment }, new NpgsqlParameter { Value = json } },
                };
                await command.ExecuteNonQueryAsync(token);
            },
        };

        private static async Task<BackfillPosition?> SavedAsync(TestDatabase database)
            => await database.ScalarAsync<string>("select position from saved") is string text ? BackfillPosition.Parse(text) : null;
    }
}
