using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Pacing
{
    /// <summary>
    /// Batched work against a real hot standby (<see cref="StreamingReplica"/>, a base backup of the shared server) whose
    /// replay the test pauses: the primary's <c>pg_stat_replication</c> shows the lag grow, and the work waits for it.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ReplicaPacingTests
    {
        private const string Purge = "20240302000000_PurgeDebugEvents";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ReplicaPacingTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        /// <summary>Small bounds and quick polls: a few batches of WAL trip them, and the test does not wait long.</summary>
        private static PacingOptions TightPacing(long maxLagBytes, TimeSpan maxPause) => new PacingOptions
        {
            MaxReplicaLagBytes = maxLagBytes,
            MaxReplicaLagTime = null,
            MaxPause = maxPause,
            PollInterval = TimeSpan.FromMilliseconds(100),
        };

        [Fact]
        public async Task Pauses_while_the_replica_does_not_replay_and_finishes_once_it_replays_again()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(@"
create table items (id bigint primary key, old int not null, new int) with (autovacuum_enabled = off);
insert into items select g, g % 1000 from generate_series(1, 40000) g;
analyze items;");
            // Replay paused only once the primary sees the standby caught up: the lag is then the backfill's WAL alone.
            await using StreamingReplica replica = await StreamingReplica.StartAsync(_server.AdminConnectionString, _output.WriteLine);
            await replica.WaitForReplayAsync(TimeSpan.FromSeconds(30));
            await replica.PauseReplayAsync();

            int batches = 0;
            int batchesAtPause = -1;
            var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var notices = new ConcurrentQueue<string>();
            var gate = new PacingGate(TightPacing(256 * 1024, TimeSpan.FromSeconds(60)))
            {
                Report = line =>
                {
                    notices.Enqueue(line);
                    _output.WriteLine(line);
                    if (line.StartsWith("paused:", StringComparison.Ordinal) && batchesAtPause < 0)
                    {
                        batchesAtPause = Volatile.Read(ref batches);
                        paused.TrySetResult();
                    }
                },
            };
            var options = new BackfillOptions
            {
                InitialBatchSize = 1000,
                MinBatchSize = 1000,
                MaxBatchSize = 1000,
                Pacing = gate,
                Progress = _ => Interlocked.Increment(ref batches),
            };
            var backfill = new KeysetBackfill(null, "items", "\"new\" = \"old\" * 2", "\"new\" IS NULL");
            await using NpgsqlConnection connection = await database.OpenAsync();
            Task<BackfillResult> run = backfill.RunAsync(connection, options);

            Task first = await Task.WhenAny(paused.Task, run, Task.Delay(TimeSpan.FromSeconds(20)));
            Assert.True(first == paused.Task, "the backfill should pause once the stopped replica falls 256 KB behind; notices: " + string.Join(" | ", notices));
            Assert.Contains(notices, l => l.StartsWith($"paused: replica '{StreamingReplica.Name}' replay lag ", StringComparison.Ordinal) && l.EndsWith("> 256 KB bound; waiting", StringComparison.Ordinal));
            Assert.True(batchesAtPause > 0, "batches ran before the lag built up");

            // While replay stays paused, no batch starts.
            await Task.Delay(1000);
            Assert.False(run.IsCompleted);
            Assert.Equal(batchesAtPause, Volatile.Read(ref batches));
            Assert.True(await database.ScalarAsync<long>("select count(*) from items where new is null") > 0);

            await replica.ResumeReplayAsync();
            BackfillResult result = await run.WaitAsync(TimeSpan.FromSeconds(30));
            _output.WriteLine($"{result.RowsUpdated} rows in {result.Batches} batches, {result.Duration.TotalMilliseconds:0} ms; paused after batch {batchesAtPause}");

            Assert.Contains(notices, l => l.StartsWith("resumed after ", StringComparison.Ordinal));
            Assert.True(result.Batches > batchesAtPause);
            Assert.Equal(40000L, result.RowsUpdated);
            // Independent recompute, on the primary and on the replica once it has replayed the rest.
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from items where new is distinct from old * 2"));
            await replica.WaitForReplayAsync(TimeSpan.FromSeconds(30));
            await using var standby = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(replica.ConnectionString) { Database = database.Name }.ConnectionString);
            await standby.OpenAsync();
            await using var onStandby = new NpgsqlCommand("select count(*) from items where new is distinct from old * 2", standby);
            Assert.Equal(0L, (long)(await onStandby.ExecuteScalarAsync())!);
        }

        [Fact]
        public async Task Stops_with_SM1017_after_the_maximum_pause_and_a_rerun_resumes_and_finishes()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (initial, c0, _) = Engine(database.ConnectionString, TightPacing(64 * 1024, TimeSpan.FromSeconds(30)), target: "Events");
            using (c0)
                await initial.ApplyAsync();
            await database.ExecuteAsync("alter table events set (autovacuum_enabled = off); insert into events (kind, payload) select case when g % 3 = 0 then 'debug' else 'info' end, g from generate_series(1, 60000) g; analyze events;");
            long debug = await database.ScalarAsync<long>("select count(*) from events where kind = 'debug'");
            long kept = await database.ScalarAsync<long>("select count(*) from events where kind <> 'debug'");
            await using StreamingReplica replica = await StreamingReplica.StartAsync(_server.AdminConnectionString, _output.WriteLine);
            await replica.WaitForReplayAsync(TimeSpan.FromSeconds(30));
            await replica.PauseReplayAsync();

            var (first, c1, log1) = Engine(database.ConnectionString, TightPacing(64 * 1024, TimeSpan.FromSeconds(1.5)));
            EngineException stop;
            using (c1)
                stop = await Assert.ThrowsAsync<EngineException>(() => first.ApplyAsync());
            Assert.Equal(EngineCodes.PacingTimeout, stop.Code);
            Assert.StartsWith($"{Purge} step 1 (delete from \"events\" in batches): paused for ", stop.Message);
            Assert.Contains($"replica '{StreamingReplica.Name}' replay lag", stop.Message);
            Assert.Contains("longer than the maximum pause (1.5 s)", stop.Message);
            Assert.Contains(log1.Lines, l => l.StartsWith("info: ", StringComparison.Ordinal) && l.Contains($": paused: replica '{StreamingReplica.Name}' replay lag"));
            long leftAfterStop = await database.ScalarAsync<long>("select count(*) from events where kind = 'debug'");
            _output.WriteLine($"{debug - leftAfterStop} of {debug} debug rows deleted before the stop");
            Assert.True(leftAfterStop > 0 && leftAfterStop < debug, $"{leftAfterStop} of {debug} left");
            Assert.Equal(0L, await database.ScalarAsync<long>($"select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" = '{Purge}'"));
            Assert.Equal(EngineCodes.PacingTimeout, await database.ScalarAsync<string>("select error_code from safemigrations.state where step_kind = 'delete-in-batches'"));

            await replica.ResumeReplayAsync();
            await replica.WaitForReplayAsync(TimeSpan.FromSeconds(30));
            var (second, c2, log2) = Engine(database.ConnectionString, TightPacing(64 * 1024, TimeSpan.FromSeconds(30)));
            using (c2)
                await second.ApplyAsync();
            StepRecord record = second.Records.Single(r => r.Step.Kind == "delete-in-batches");
            Assert.Equal(StepOutcome.Completed, record.Outcome);
            Assert.Equal(leftAfterStop, record.Rows);
            Assert.Contains(log2.Lines, l => l.Contains("resuming after key"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from events where kind = 'debug'"));
            Assert.Equal(kept, await database.ScalarAsync<long>("select count(*) from events where kind <> 'debug'"));
            Assert.Equal(1L, await database.ScalarAsync<long>($"select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" = '{Purge}'"));
        }

        [Fact]
        public async Task Says_once_that_replica_lag_cannot_be_read_without_pg_monitor_and_goes_on()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string role = "sm_pacing_" + Guid.NewGuid().ToString("N").Substring(0, 8);
            await database.ExecuteAsync($@"
create table items (id bigint primary key, old int not null, new int);
insert into items select g, g from generate_series(1, 5000) g;
create role {role} login;
grant select, update on items to {role};");
            try
            {
                await using StreamingReplica replica = await StreamingReplica.StartAsync(_server.AdminConnectionString, _output.WriteLine);
                var notices = new ConcurrentQueue<string>();
                var gate = new PacingGate(new PacingOptions { PollInterval = TimeSpan.FromMilliseconds(100) }) { Report = notices.Enqueue };
                var options = new BackfillOptions { InitialBatchSize = 500, MinBatchSize = 500, MaxBatchSize = 500, Pacing = gate };
                await using var plain = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Pooling = false }.ConnectionString);
                await plain.OpenAsync();
                BackfillResult result = await new KeysetBackfill(null, "items", "\"new\" = \"old\" + 1", "\"new\" IS NULL").RunAsync(plain, options);
                foreach (string notice in notices)
                    _output.WriteLine(notice);

                Assert.Equal(5000L, result.RowsUpdated);
                string only = Assert.Single(notices);
                Assert.StartsWith("pacing: cannot read replica lag: pg_stat_replication shows 1 WAL sender(s) but hides their positions from role", only);
                Assert.EndsWith($"GRANT pg_monitor TO \"{role}\";", only);
                Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from items where new is distinct from old + 1"));
            }
            finally
            {
                await database.ExecuteAsync($"revoke all on items from {role}; drop role {role};");
            }
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog, EngineApplyTests.TestLog Log) Engine(string connectionString, PacingOptions pacing, string? target = null)
        {
            var log = new EngineApplyTests.TestLog(_output);
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(EventsContext).Assembly, nameof(EventsContext), connectionString));
            var options = new EngineOptions { ConnectionString = connectionString, Target = target, Log = log, Pacing = pacing };
            return (new MigrationEngine(catalog, options), catalog, log);
        }
    }
}
