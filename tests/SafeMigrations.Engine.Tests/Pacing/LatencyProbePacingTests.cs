using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Reporting;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Pacing
{
    /// <summary>
    /// The latency probe: a query the test makes slow on demand (a function that sleeps while a control row says so),
    /// timed before the work and between batches.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class LatencyProbePacingTests
    {
        private const string Setup = @"
create table items (id bigint primary key, old int not null, new int);
insert into items select g, g % 1000 from generate_series(1, 20000) g;
analyze items;
create table probe_control (slow boolean not null);
insert into probe_control values (false);
create function app_probe() returns int language plpgsql as $$
begin
  if (select slow from probe_control) then perform pg_sleep(0.5); end if;
  return 1;
end $$;";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public LatencyProbePacingTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private static PacingOptions ProbeOnly(string probe) => new PacingOptions
        {
            MaxReplicaLagBytes = null,
            MaxReplicaLagTime = null,
            LatencyProbe = probe,
            LatencyFloor = TimeSpan.FromMilliseconds(50),
            PollInterval = TimeSpan.FromMilliseconds(200),
            MaxPause = TimeSpan.FromSeconds(30),
        };

        [Fact]
        public async Task Waits_between_batches_while_the_probe_is_slow_and_says_so()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(Setup);

            int batches = 0;
            int slowSet = 0;
            int batchesAtSlow = -1;
            int batchesAtClear = -1;
            Task? clear = null;
            var notices = new ConcurrentQueue<string>();
            var gate = new PacingGate(ProbeOnly("select app_probe()"))
            {
                Report = line =>
                {
                    notices.Enqueue(line);
                    _output.WriteLine(line);
                    if (line.StartsWith("slowed:", StringComparison.Ordinal) && Volatile.Read(ref slowSet) == 1 && clear is null)
                    {
                        batchesAtSlow = Volatile.Read(ref batches);
                        clear = Task.Run(async () =>
                        {
                            await Task.Delay(800);
                            batchesAtClear = Volatile.Read(ref batches);
                            await database.ExecuteAsync("update probe_control set slow = false");
                        });
                    }
                },
            };
            var options = new BackfillOptions
            {
                InitialBatchSize = 1000,
                MinBatchSize = 1000,
                MaxBatchSize = 1000,
                Pacing = gate,
                Progress = _ =>
                {
                    // After the third batch the app's query gets slow (as under load), until the test clears it.
                    if (Interlocked.Increment(ref batches) == 3)
                    {
                        database.ExecuteAsync("update probe_control set slow = true").GetAwaiter().GetResult();
                        Volatile.Write(ref slowSet, 1);
                    }
                },
            };
            await using NpgsqlConnection connection = await database.OpenAsync();
            BackfillResult result = await new KeysetBackfill(null, "items", "\"new\" = \"old\" * 2", "\"new\" IS NULL").RunAsync(connection, options).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(clear);
            await clear!;

            // The bound is max(3 x baseline, 50 ms): the baseline of a loaded machine can lift it over the floor.
            Assert.Contains(notices, l => l.StartsWith("pacing: latency probe baseline ", StringComparison.Ordinal) && l.Contains(" ms, slowing down above "));
            Assert.Contains(notices, l => l.StartsWith("slowed: probe ", StringComparison.Ordinal) && l.Contains(" vs baseline ") && l.Contains(" ms); waiting "));
            Assert.Contains(notices, l => l.StartsWith("resumed after ", StringComparison.Ordinal));
            Assert.Equal(3, batchesAtSlow);
            Assert.Equal(batchesAtSlow, batchesAtClear);
            Assert.Equal(20000L, result.RowsUpdated);
            Assert.NotNull(gate.Baseline);
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from items where new is distinct from old * 2"));
        }

        [Fact]
        public async Task A_probe_that_fails_stops_the_work_with_SM1001_before_the_first_batch()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(Setup);
            var options = new BackfillOptions { Pacing = new PacingGate(ProbeOnly("select * from no_such_table")) };
            await using NpgsqlConnection connection = await database.OpenAsync();

            PacingStopException stop = await Assert.ThrowsAsync<PacingStopException>(() => new KeysetBackfill(null, "items", "\"new\" = 1").RunAsync(connection, options));
            Assert.Equal(EngineCodes.Configuration, stop.Code);
            Assert.Contains("the latency probe failed: 42P01", stop.Message);
            Assert.Contains("--latency-probe", stop.Message);
            Assert.Equal(20000L, await database.ScalarAsync<long>("select count(*) from items where new is null"));
        }
    }
}
