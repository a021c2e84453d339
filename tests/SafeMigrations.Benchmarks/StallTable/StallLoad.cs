using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Benchmarks.StallTable;

/// <summary>One timed statement: when it started (ms on the run's clock), how long it took, whether it failed.</summary>
public readonly record struct Sample(double StartMs, double LatencyMs, bool Failed);

/// <summary>A row a writer wrote and saw acknowledged: the values it must still hold after the migration.</summary>
public readonly record struct WrittenRow(long Id, int Quantity, string Note, string PlacedAt);

/// <summary>
/// The app under the migration: writers insert orders and update their own share of the old ones (writer i updates ids
/// with id % writers = i, so the last acknowledged value of every row is known), readers look orders up by key.
/// Every statement is timed; the old app version's column names are used throughout.
/// </summary>
public sealed class StallLoad
{
    private const string Insert = @"INSERT INTO ""Orders"" (""CustomerId"", ""Total"", ""Status"", ""Quantity"", ""Note"", ""PlacedAt"") VALUES ($1, $2, 'new', $3, $4, $5::timestamp) RETURNING ""Id""";
    private const string Update = @"UPDATE ""Orders"" SET ""Quantity"" = $1, ""Note"" = $2 WHERE ""Id"" = $3";
    private const string AppName = "stall-load";

    // The longest lock wait of any app statement right now, as the server sees it (query_start of a statement waiting on
    // a lock): separates stalls the migration's locks cause from the noise of a busy machine.
    private const string LockWait = @"SELECT coalesce(max(extract(epoch FROM clock_timestamp() - query_start) * 1000), 0)::float8
FROM pg_stat_activity WHERE application_name = 'stall-load' AND wait_event_type = 'Lock'";

    private const string Read = @"SELECT ""Id"", ""Quantity"", ""Note"", ""PlacedAt"" FROM ""Orders"" WHERE ""Id"" = $1";

    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock;
    private readonly Task<Worker>[] _writers;
    private readonly Task<Worker>[] _readers;
    private readonly Task<List<Sample>> _lockWaits;

    private StallLoad(string connectionString, long rows, int customers, int writers, int readers, Stopwatch clock)
    {
        _clock = clock;
        string monitor = connectionString;
        connectionString = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = AppName }.ConnectionString;
        _lockWaits = Task.Run(() => WatchLockWaitsAsync(monitor));
        _writers = Enumerable.Range(0, writers).Select(i => Task.Run(() => WriteAsync(connectionString, rows, customers, i, writers))).ToArray();
        _readers = Enumerable.Range(0, readers).Select(i => Task.Run(() => ReadAsync(connectionString, rows, 1000 + i))).ToArray();
    }

    public static StallLoad Start(string connectionString, long rows, int customers, int writers, int readers, Stopwatch clock)
        => new(connectionString, rows, customers, writers, readers, clock);

    public async Task<LoadResult> StopAsync()
    {
        _stop.Cancel();
        Worker[] writers = await Task.WhenAll(_writers);
        Worker[] readers = await Task.WhenAll(_readers);
        List<Sample> lockWaits = await _lockWaits;
        var written = new Dictionary<long, WrittenRow>();
        foreach (Worker writer in writers)
            foreach (KeyValuePair<long, WrittenRow> row in writer.Written)
                written[row.Key] = row.Value;
        return new LoadResult(
            writers.SelectMany(w => w.Samples).ToArray(),
            readers.SelectMany(r => r.Samples).ToArray(),
            writers.Concat(readers).SelectMany(w => w.Errors).ToArray(),
            written.Values.ToArray(),
            lockWaits.ToArray());
    }

    /// <summary>Polls every 10 ms; each sample's latency is the longest lock wait seen at that moment.</summary>
    private async Task<List<Sample>> WatchLockWaitsAsync(string connectionString)
    {
        var samples = new List<Sample>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(LockWait, connection);
        while (!_stop.IsCancellationRequested)
        {
            double at = _clock.Elapsed.TotalMilliseconds;
            var waited = (double)(await command.ExecuteScalarAsync())!;
            if (waited > 0)
                samples.Add(new Sample(at - waited, waited, false));
            await Task.Delay(10);
        }
        return samples;
    }

    private async Task<Worker> WriteAsync(string connectionString, long rows, int customers, int index, int writers)
    {
        var random = new Random(index);
        var worker = new Worker();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (long i = 0; !_stop.IsCancellationRequested; i++)
        {
            int quantity = random.Next(0, 1000);
            string note = "written " + index + "/" + i;
            if (i % 2 == 0)
            {
                string placedAt = new DateTime(2030, 1, 1).AddSeconds(random.Next(0, 100_000_000)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                await using var command = new NpgsqlCommand(Insert, connection)
                {
                    CommandTimeout = 0,
                    Parameters = { new() { Value = (long)random.Next(1, customers + 1) }, new() { Value = random.Next(0, 100_000) / 100m }, new() { Value = quantity }, new() { Value = note }, new() { Value = placedAt } },
                };
                object? id = await TimeAsync(worker, () => command.ExecuteScalarAsync());
                if (id is long key)
                    worker.Written[key] = new WrittenRow(key, quantity, note, placedAt);
            }
            else
            {
                // Only ids this writer owns, so the last acknowledged write of a row is this writer's.
                long id = random.NextInt64(0, rows / writers) * writers + index;
                if (id == 0)
                    id = writers;
                await using var command = new NpgsqlCommand(Update, connection)
                {
                    CommandTimeout = 0,
                    Parameters = { new() { Value = quantity }, new() { Value = note }, new() { Value = id } },
                };
                object? affected = await TimeAsync(worker, async () => (object)await command.ExecuteNonQueryAsync());
                if (affected is 1 && worker.Written.TryGetValue(id, out WrittenRow earlier))
                    worker.Written[id] = earlier with { Quantity = quantity, Note = note };
                else if (affected is 1)
                    worker.Written[id] = new WrittenRow(id, quantity, note, BasePlacedAt(id));
            }
            await Task.Delay(2);
        }
        return worker;
    }

    private async Task<Worker> ReadAsync(string connectionString, long rows, int seed)
    {
        var random = new Random(seed);
        var worker = new Worker();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        while (!_stop.IsCancellationRequested)
        {
            await using var command = new NpgsqlCommand(Read, connection) { CommandTimeout = 0, Parameters = { new() { Value = random.NextInt64(1, rows + 1) } } };
            await TimeAsync(worker, async () =>
            {
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                }
                return null;
            });
            await Task.Delay(2);
        }
        return worker;
    }

    /// <summary>PlacedAt of base row <paramref name="id"/>, as the base database was filled.</summary>
    public static string BasePlacedAt(long id)
        => new DateTime(2020, 1, 1).AddMinutes(id).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private async Task<object?> TimeAsync(Worker worker, Func<Task<object?>> statement)
    {
        double start = _clock.Elapsed.TotalMilliseconds;
        try
        {
            object? result = await statement();
            worker.Samples.Add(new Sample(start, _clock.Elapsed.TotalMilliseconds - start, false));
            return result;
        }
        catch (Exception exception) when (exception is NpgsqlException || exception is InvalidOperationException)
        {
            worker.Samples.Add(new Sample(start, _clock.Elapsed.TotalMilliseconds - start, true));
            worker.Errors.Add(exception.Message);
            return null;
        }
    }

    private sealed class Worker
    {
        public List<Sample> Samples { get; } = new();

        public List<string> Errors { get; } = new();

        public Dictionary<long, WrittenRow> Written { get; } = new();
    }
}

/// <summary>What the load saw; <paramref name="LockWaits"/> are the server-side lock waits of its statements.</summary>
public sealed record LoadResult(Sample[] Writes, Sample[] Reads, string[] Errors, WrittenRow[] Written, Sample[] LockWaits);
