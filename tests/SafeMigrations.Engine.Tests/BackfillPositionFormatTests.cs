using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// One saved-position format going forward (a single walk is one key segment), and the two formats earlier releases
    /// wrote (the single walk's last key, the workers' segments) still resume exactly where they stopped.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class BackfillPositionFormatTests
    {
        /// <summary>What a single walk of an earlier release saved.</summary>
        private const string OldSingleWalk = "{\"key\":[\"id\"],\"last\":[\"1000\"],\"visited\":1000}";

        /// <summary>What three workers of an earlier release saved: the first segment part way, the second not started, the third done.</summary>
        private const string OldSegments = "{\"key\":[\"id\"],\"segments\":[" +
            "{\"from\":null,\"to\":[\"3000\"],\"last\":[\"1000\"],\"visited\":1000,\"done\":false}," +
            "{\"from\":[\"3000\"],\"to\":[\"6000\"],\"last\":null,\"visited\":0,\"done\":false}," +
            "{\"from\":[\"6000\"],\"to\":null,\"last\":null,\"visited\":3000,\"done\":true}]}";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public BackfillPositionFormatTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public void A_single_walk_is_written_as_one_segment_and_reads_back_as_the_earlier_format_did()
        {
            BackfillPosition old = BackfillPosition.Parse(OldSingleWalk);
            string written = old.Serialize();
            _output.WriteLine(written);

            Assert.Equal("{\"key\":[\"id\"],\"segments\":[{\"from\":[\"1000\"],\"to\":null,\"last\":null,\"visited\":1000,\"done\":false}]}", written);
            BackfillPosition reread = BackfillPosition.Parse(written);
            Assert.Single(reread.Segments!);
            Assert.Equal(new[] { "1000" }, reread.LastKey);
            Assert.Equal(1000L, reread.RowsVisited);
            Assert.Equal(old.Describe(), reread.Describe());
            Assert.Equal("after key (1000), 1000 rows visited before", reread.Describe());

            // A walk that passed key 1200 of its own segment resumes after 1200.
            var walked = new BackfillPosition(new[] { "id" }, new[] { new BackfillSegment(new[] { "1000" }, null, new[] { "1200" }, 1200, done: false) });
            Assert.Equal(new[] { "1200" }, BackfillPosition.Parse(walked.Serialize()).LastKey);
        }

        [Fact]
        public async Task A_single_walk_position_of_the_earlier_format_resumes_after_its_key_and_is_saved_in_the_new_one()
        {
            await using TestDatabase database = await HitsTableAsync(rows: 3000, doneUpTo: 1000);
            await using NpgsqlConnection connection = await database.OpenAsync();
            var recorded = new List<string>();
            BackfillOptions options = FixedBatches(250, BackfillPosition.Parse(OldSingleWalk));
            options.RecordPositionAsync = (_, position, _) =>
            {
                recorded.Add(position.Serialize());
                return Task.CompletedTask;
            };

            BackfillResult result = await Hits().RunAsync(connection, options);

            // Every row once: none replayed (hits 2), none skipped (hits 0).
            Assert.Equal(2000L, result.RowsUpdated);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(3000L, await database.ScalarAsync<long>("select count(*) from t where hits = 1"));
            // The first batch starts right after the saved key; every record is one segment of the one format.
            BackfillPosition first = BackfillPosition.Parse(recorded[0]);
            Assert.Equal(new[] { "1000" }, first.Segments!.Single().From);
            Assert.Equal(new[] { "1250" }, first.LastKey);
            Assert.Equal(1250L, first.RowsVisited);
            Assert.All(recorded, r => Assert.StartsWith("{\"key\":[\"id\"],\"segments\":[{", r, StringComparison.Ordinal));
            Assert.Equal(3000L, result.Position!.RowsVisited);
        }

        [Fact]
        public async Task A_segmented_position_of_an_earlier_release_resumes_each_segment_exactly_on_one_worker()
        {
            await using TestDatabase database = await HitsTableAsync(rows: 9000, doneUpTo: 1000);
            await database.ExecuteAsync($"update t set hits = 1 where id > 6000; create table saved (position text); insert into saved values ('{OldSegments}')");
            await using NpgsqlConnection connection = await database.OpenAsync();
            BackfillOptions options = FixedBatches(250, BackfillPosition.Parse(OldSegments));
            options.RecordSegmentAsync = async (transaction, segment, json, token) =>
            {
                await using var command = new NpgsqlCommand("update saved set position = jsonb_set(position::jsonb, array['segments', $1::text], $2::jsonb)::text", transaction.Connection, transaction)
                {
                    Parameters = { new NpgsqlParameter { Value = segment }, new NpgsqlParameter { Value = json } },
                };
                await command.ExecuteNonQueryAsync(token);
            };

            BackfillResult result = await Hits().RunAsync(connection, options);

            Assert.Equal(5000L, result.RowsUpdated);
            Assert.Equal(9000L, await database.ScalarAsync<long>("select count(*) from t where hits = 1"));
            // The saved segments keep their boundaries, each finished in its own slot.
            BackfillPosition saved = BackfillPosition.Parse((await database.ScalarAsync<string>("select position from saved"))!);
            _output.WriteLine(saved.Serialize());
            Assert.Equal(new[] { null, "3000", "6000" }, saved.Segments!.Select(s => s.From?.Single()));
            Assert.All(saved.Segments!, s => Assert.True(s.Done));
            Assert.Equal(9000L, saved.RowsVisited);
        }

        [Fact]
        public async Task A_single_walk_position_of_the_new_format_resumes_split_among_workers()
        {
            await using TestDatabase database = await HitsTableAsync(rows: 12000, doneUpTo: 3000);
            await using NpgsqlConnection connection = await database.OpenAsync();
            var single = new BackfillPosition(new[] { "id" }, new[] { new BackfillSegment(null, null, new[] { "3000" }, 3000, done: false) });
            BackfillOptions options = FixedBatches(200, BackfillPosition.Parse(single.Serialize()));
            options.Workers = 3;

            BackfillResult result = await Hits().RunAsync(connection, options);

            Assert.Equal(9000L, result.RowsUpdated);
            Assert.Equal(3, result.Position!.Segments!.Count);
            Assert.Equal(new[] { "3000" }, result.Position.Segments[0].From);
            Assert.Equal(12000L, await database.ScalarAsync<long>("select count(*) from t where hits = 1"));
        }

        [Fact]
        public async Task The_engine_resumes_a_single_walk_position_the_previous_release_left_in_the_state_row()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (initial, initialCatalog, _) = Engine(database.ConnectionString, "Initial", null);
            using (initialCatalog)
                await initial.ApplyAsync();
            await database.ExecuteAsync("insert into customers (name, email) select 'c' || g, case when g % 3 = 0 then null else 'c' || g || '@x' end from generate_series(1, 6000) g; analyze customers;");

            // A run stopped after five committed batches.
            int batches = 0;
            var (first, firstCatalog, _) = Engine(database.ConnectionString, "Hardening", backfill =>
            {
                Action<BackfillProgress>? inner = backfill.Progress;
                backfill.Progress = progress =>
                {
                    inner?.Invoke(progress);
                    if (++batches == 5)
                        throw new InvalidOperationException("stopped for the test");
                };
            });
            using (firstCatalog)
                await Assert.ThrowsAnyAsync<Exception>(() => first.ApplyAsync());
            BackfillPosition stopped = BackfillPosition.Parse((await database.ScalarAsync<string>("select position from safemigrations.state where step_kind = 'backfill'"))!);
            Assert.Single(stopped.Segments!);
            string lastKey = stopped.LastKey.Single();
            long visited = stopped.RowsVisited;
            Assert.Equal(1500L, visited);

            // The row as the previous release left it: the single walk's last key.
            string old = $"{{\"key\":[\"{stopped.KeyColumns.Single()}\"],\"last\":[\"{lastKey}\"],\"visited\":{visited}}}";
            await database.ExecuteAsync($"update safemigrations.state set position = '{old}' where step_kind = 'backfill'");
            long left = await database.ScalarAsync<long>("select count(*) from customers where email is null");
            Assert.True(left > 0, "the first run stopped part way");

            var recorded = new List<BackfillPosition>();
            var (rerun, rerunCatalog, log) = Engine(database.ConnectionString, "Hardening", backfill =>
            {
                Func<NpgsqlTransaction, BackfillPosition, System.Threading.CancellationToken, Task> record = backfill.RecordPositionAsync!;
                backfill.RecordPositionAsync = (transaction, position, token) =>
                {
                    recorded.Add(position);
                    return record(transaction, position, token);
                };
            });
            using (rerunCatalog)
                await rerun.ApplyAsync();

            Assert.Contains(log.Lines, l => l.Contains($"resuming after key ({lastKey}), {visited} rows visited before", StringComparison.Ordinal));
            // Its first batch starts right after the saved key and counts on from the rows visited before.
            Assert.Equal(new[] { lastKey }, recorded[0].Segments!.Single().From);
            Assert.Equal(visited + 300, recorded[0].RowsVisited);
            Assert.Equal(left, rerun.Records.Single(r => r.Step.Kind == "backfill").Rows);
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
            Assert.Contains("\"segments\"", await database.ScalarAsync<string>("select position from safemigrations.state where step_kind = 'backfill'"), StringComparison.Ordinal);
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog, EngineApplyTests.TestLog Log) Engine(string connectionString, string target, Action<BackfillOptions>? configure)
        {
            var log = new EngineApplyTests.TestLog(_output);
            var options = new EngineOptions
            {
                ConnectionString = connectionString,
                Target = target,
                Log = log,
                LockTimeout = TimeSpan.FromMilliseconds(500),
                InitialBackoff = TimeSpan.FromMilliseconds(50),
                ConfigureBackfill = backfill =>
                {
                    backfill.InitialBatchSize = backfill.MinBatchSize = backfill.MaxBatchSize = 300;
                    configure?.Invoke(backfill);
                },
            };
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(ShopContext).Assembly, nameof(ShopContext), connectionString));
            return (new MigrationEngine(catalog, options), catalog, log);
        }

        /// <summary>Table t with ids 1..rows, rows up to <paramref name="doneUpTo"/> already visited once (hits = 1).</summary>
        private async Task<TestDatabase> HitsTableAsync(int rows, int doneUpTo)
        {
            TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync($"create table t (id int primary key, hits int not null default 0); insert into t (id) select g from generate_series(1, {rows}) g; update t set hits = 1 where id <= {doneUpTo}; analyze t;");
            return database;
        }

        /// <summary>No "still to do" condition: a batch replayed or skipped on resume shows as hits 2 or 0.</summary>
        private static KeysetBackfill Hits() => new KeysetBackfill("public", "t", "hits = hits + 1") { VerificationQuery = "select count(*) from t where hits <> 1" };

        private static BackfillOptions FixedBatches(int size, BackfillPosition resumeFrom)
            => new BackfillOptions { InitialBatchSize = size, MinBatchSize = size, MaxBatchSize = size, ResumeFrom = resumeFrom };
    }
}
