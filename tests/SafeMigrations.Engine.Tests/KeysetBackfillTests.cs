using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Execution;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    [Collection(PostgresCollection.Name)]
    public sealed class KeysetBackfillTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public KeysetBackfillTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Backfills_every_row_while_a_writer_updates_and_inserts_without_writer_errors()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(@"
create table items (id bigserial primary key, old int not null, new int);
insert into items (old) select g % 1000 from generate_series(1, 50000) g;
analyze items;
-- The expand recipe: a sync trigger keeps rows the app writes right; the backfill fixes the existing ones.
create function items_sync() returns trigger language plpgsql as $$ begin new.new := new.old * 2; return new; end $$;
create trigger items_sync before insert or update of old on items for each row execute function items_sync();");

            var backfill = new KeysetBackfill(null, "items", "\"new\" = \"old\" * 2", "\"new\" IS NULL")
            {
                VerificationQuery = "select count(*) from items where new is distinct from old * 2",
            };
            var progress = new List<BackfillProgress>();
            var options = new BackfillOptions
            {
                InitialBatchSize = 500,
                TargetBatchDuration = TimeSpan.FromMilliseconds(50),
                LockPolicy = new LockRetryPolicy { LockTimeout = TimeSpan.FromSeconds(1), InitialBackoff = TimeSpan.FromMilliseconds(50) },
                Progress = progress.Add,
            };

            await using var writer = ConcurrentWriter.Start(database.ConnectionString, seed: 7, UpdatesAndInserts);
            await using NpgsqlConnection connection = await database.OpenAsync();
            BackfillResult result = await backfill.RunAsync(connection, options);
            var (operations, errors, maxStallMs) = await writer.TakeAsync();

            foreach (BackfillProgress p in progress.Where((_, i) => i % 10 == 0).Append(progress.Last()))
                _output.WriteLine(p.ToString());
            _output.WriteLine($"backfill: {result.RowsUpdated} rows in {result.Batches} batches, {result.Retries} retries, {result.Duration.TotalMilliseconds:0} ms; writer: {operations} operations, slowest {maxStallMs:0} ms");

            Assert.Empty(errors);
            Assert.True(operations > 0, "the writer ran during the backfill");
            Assert.Equal(0L, result.RemainingRows);
            Assert.True(result.Batches > 1);
            Assert.NotNull(result.Position);
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from items where new is distinct from old * 2"));
            Assert.Contains(progress, p => p.EstimatedRemaining is not null && p.RowsPerSecond > 0 && p.EstimatedTotalRows >= 50000);

            // For the record: the one-statement form holds every row lock until it commits.
            await using var writer2 = ConcurrentWriter.Start(database.ConnectionString, seed: 7, UpdatesAndInserts);
            await Task.Delay(100);
            var clock = Stopwatch.StartNew();
            await new NpgsqlCommand("UPDATE items SET new = old * 2", connection).ExecuteNonQueryAsync();
            long oneShotMs = clock.ElapsedMilliseconds;
            await Task.Delay(100);
            var (_, errors2, maxStall2) = await writer2.TakeAsync();
            _output.WriteLine($"one-shot UPDATE of all rows: {oneShotMs} ms; writer slowest {maxStall2:0} ms");
            Assert.Empty(errors2);
        }

        [Fact]
        public async Task Resumes_from_a_saved_position_without_revisiting_rows()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, hits int not null default 0); insert into t (id) select g from generate_series(1, 3000) g");
            var backfill = new KeysetBackfill("public", "t", "hits = hits + 1") { VerificationQuery = "select count(*) from t where hits <> 1" };
            await using NpgsqlConnection connection = await database.OpenAsync();

            string? saved = null;
            using var stop = new CancellationTokenSource();
            var first = new BackfillOptions
            {
                InitialBatchSize = 200, MinBatchSize = 200, MaxBatchSize = 200,
                Progress = p =>
                {
                    saved = p.Position.Serialize();
                    if (p.Batches == 3)
                        stop.Cancel();
                },
            };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backfill.RunAsync(connection, first, stop.Token));
            _output.WriteLine("saved position: " + saved);
            Assert.Equal(600L, await database.ScalarAsync<long>("select count(*) from t where hits = 1"));

            var second = new BackfillOptions { InitialBatchSize = 200, ResumeFrom = BackfillPosition.Parse(saved!) };
            BackfillResult result = await backfill.RunAsync(connection, second);

            Assert.Equal(2400L, result.RowsUpdated);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(3000L, await database.ScalarAsync<long>("select count(*) from t where hits = 1"));
        }

        /// <summary>A table keyed by (tenant text, id int), five tenants in random physical order, and a backfill that counts its visits per row.</summary>
        internal static async Task<KeysetBackfill> CompositeKeyLinesAsync(TestDatabase database, int perTenant)
        {
            await database.ExecuteAsync($@"
create table lines (tenant text not null, id int not null, v int not null, w int, hits int not null default 0, primary key (tenant, id));
insert into lines (tenant, id, v)
select t, g, g * 3 from unnest(array['acme', 'O''Brien & Co', 'zeta', 'Äpfel', '']) t, generate_series(1, {perTenant}) g
order by random();");
            return new KeysetBackfill(null, "lines", "w = v + 1, hits = hits + 1")
            {
                VerificationQuery = "select count(*) from lines where w is distinct from v + 1 or hits <> 1",
            };
        }

        [Fact]
        public async Task Walks_a_composite_text_and_integer_key_visiting_each_row_once()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            KeysetBackfill backfill = await CompositeKeyLinesAsync(database, perTenant: 1000);
            await using NpgsqlConnection connection = await database.OpenAsync();

            IReadOnlyList<BackfillKeyColumn> key = await backfill.ResolveKeyAsync(connection);
            Assert.Equal(new[] { "tenant", "id" }, key.Select(k => k.Name));
            BackfillResult result = await backfill.RunAsync(connection, new BackfillOptions { InitialBatchSize = 300, MinBatchSize = 300, MaxBatchSize = 300 });

            Assert.Equal(5000L, result.RowsUpdated);
            Assert.Equal(0L, result.RemainingRows);
            Assert.Equal(new[] { "tenant", "id" }, result.Position!.KeyColumns);
        }

        [Fact]
        public async Task Deletes_matching_rows_of_a_composite_key_in_batches_and_keeps_the_rest()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(@"
create table lines (tenant text not null, id int not null, v int not null, primary key (tenant, id));
insert into lines (tenant, id, v) select t, g, g from unnest(array['acme', 'O''Brien & Co', 'zeta']) t, generate_series(1, 1000) g;");
            await using NpgsqlConnection connection = await database.OpenAsync();
            KeysetBackfill delete = KeysetBackfill.Delete(null, "lines", "v % 4 = 0");
            Assert.Equal(KeysetStatementKind.Delete, delete.StatementKind);
            var progress = new List<BackfillProgress>();
            BackfillResult result = await delete.RunAsync(connection, new BackfillOptions { InitialBatchSize = 250, MinBatchSize = 250, MaxBatchSize = 250, Progress = progress.Add });

            Assert.Equal(750L, result.RowsUpdated);
            Assert.Equal(0L, result.RemainingRows);
            Assert.True(result.Batches >= 12, $"{result.Batches} batches");
            Assert.Contains(" deleted, ", progress.Last().ToString());
            Assert.Equal(2250L, await database.ScalarAsync<long>("select count(*) from lines"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from lines where v % 4 = 0"));
            Assert.Throws<ArgumentException>(() => KeysetBackfill.Delete(null, "lines", " "));
        }

        [Fact]
        public async Task A_table_without_a_usable_key_is_a_clear_error()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(@"
create table nokey (a int, b int); insert into nokey values (1, 1);
create table nullable_unique (a int unique, b int);
create table unique_not_null (a int not null, b int); create unique index on unique_not_null (a);");
            await using NpgsqlConnection connection = await database.OpenAsync();

            foreach (string table in new[] { "nokey", "nullable_unique" })
            {
                var error = await Assert.ThrowsAsync<BackfillKeyException>(() => new KeysetBackfill(null, table, "b = 2").RunAsync(connection));
                _output.WriteLine(error.Message);
                Assert.Contains("no primary key", error.Message);
            }
            await Assert.ThrowsAsync<BackfillKeyException>(() => new KeysetBackfill(null, "missing", "b = 2").RunAsync(connection));
            await Assert.ThrowsAsync<BackfillKeyException>(() => new KeysetBackfill(null, "nokey", "b = 2") { KeyColumns = new[] { "a" } }.RunAsync(connection));

            IReadOnlyList<BackfillKeyColumn> key = await new KeysetBackfill(null, "unique_not_null", "b = 2").ResolveKeyAsync(connection);
            Assert.Equal("a", Assert.Single(key).Name);
        }

        [Fact]
        public async Task Rows_left_behind_fail_the_verification()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, v int); insert into t select g, null from generate_series(1, 100) g");
            await using NpgsqlConnection connection = await database.OpenAsync();
            // The assignment leaves some rows matching the predicate: verification must catch it.
            var backfill = new KeysetBackfill(null, "t", "v = case when id % 10 = 0 then null else 1 end", "v IS NULL");
            var failure = await Assert.ThrowsAsync<StepFailedException>(() => backfill.RunAsync(connection));
            Assert.Contains("10 row(s)", failure.Message);
        }

        [Fact]
        public async Task A_blocked_batch_reports_each_lock_attempt_and_the_last_one_does_not_promise_a_retry()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, v int); insert into t select g, null from generate_series(1, 100) g");
            await using NpgsqlConnection blocker = await database.OpenAsync();
            await using NpgsqlTransaction transaction = await blocker.BeginTransactionAsync();
            // SHARE conflicts with the batch's ROW EXCLUSIVE.
            await using (var command = new NpgsqlCommand("lock table t in share mode", blocker, transaction))
                await command.ExecuteNonQueryAsync();

            await using NpgsqlConnection connection = await database.OpenAsync();
            var heard = new List<StepAttempt>();
            var options = new BackfillOptions
            {
                LockPolicy = new LockRetryPolicy { LockTimeout = TimeSpan.FromMilliseconds(100), InitialBackoff = TimeSpan.FromMilliseconds(20), MaxAttempts = 3 },
                LockAttempt = heard.Add,
            };
            var failure = await Assert.ThrowsAsync<StepFailedException>(() => new KeysetBackfill(null, "t", "v = 1", "v IS NULL").RunAsync(connection, options));

            Assert.True(failure.RetriesExhausted);
            Assert.Equal(new[] { AttemptOutcome.LockTimeout, AttemptOutcome.LockTimeout, AttemptOutcome.LockTimeout }, heard.Select(a => a.Outcome));
            Assert.Equal(new[] { true, true, false }, heard.Select(a => a.WillRetry));
        }

        [Fact]
        public void Positions_round_trip_through_text()
        {
            var position = new BackfillPosition(new[] { "tenant", "id" }, new[] { "O'Brien \"&\" Co", "42" }, 1234);
            BackfillPosition parsed = BackfillPosition.Parse(position.Serialize());
            Assert.Equal(position.KeyColumns, parsed.KeyColumns);
            Assert.Equal(position.LastKey, parsed.LastKey);
            Assert.Equal(1234, parsed.RowsVisited);
            Assert.Throws<FormatException>(() => BackfillPosition.Parse("not json"));
            Assert.Throws<FormatException>(() => BackfillPosition.Parse("{\"key\":[\"a\"],\"last\":[]}"));
        }

        /// <summary>The application: single-row updates and inserts in a loop.</summary>
        private static NpgsqlCommand UpdatesAndInserts(NpgsqlConnection connection, Random random, long operations) =>
            random.Next(2) == 0
                ? new NpgsqlCommand("update items set old = old + 1 where id = $1", connection) { Parameters = { new NpgsqlParameter { Value = (long)random.Next(1, 50001) } } }
                : new NpgsqlCommand("insert into items (old) values ($1)", connection) { Parameters = { new NpgsqlParameter { Value = random.Next(1000) } } };
    }
}
