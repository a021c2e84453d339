using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SafeMigrations.Benchmarks.Infrastructure;
using SafeMigrations.Engine;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Postgres;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Benchmarks.Backfill;

/// <summary>
/// Issue 12 item 2: rows/s of the engine's keyset backfill (a real <c>apply</c> of <see cref="LedgerFillTotalCents"/>,
/// default options) against one <c>UPDATE</c> of the whole table (what plain EF runs for the same step), on identical
/// copies of one table (CREATE DATABASE ... TEMPLATE), interleaved A, B, A, B; first idle, then while writers insert and
/// update. Each run's end state is checked by an independent recompute. Prints numbers; asserts only the end state.
/// </summary>
public static class BackfillBenchmark
{
    public const string InitialMigration = "20250301000000_LedgerInitial";
    public const string FillMigration = "20250302000000_LedgerFillTotalCents";
    public const string TotalCentsSql = "(\"Total\" * 100)::bigint";

    private const int Writers = 4;
    private const string UpdateSql = "UPDATE \"Orders\" SET \"TotalCents\" = " + TotalCentsSql + " WHERE \"TotalCents\" IS NULL";

    /// <summary>The arguments without <c>--workers N</c>; <paramref name="workers"/> is N (1 without it).</summary>
    public static string[] TakeWorkers(string[] args, out int workers)
    {
        int at = Array.IndexOf(args, "--workers");
        workers = at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 1;
        return at >= 0 ? args.Where((_, i) => i != at && i != at + 1).ToArray() : args;
    }

    public static async Task<int> RunAsync(int rows, int rounds, bool durable, int workers = 1)
    {
        Console.WriteLine($"backfill: Orders with {rows:N0} rows (TotalCents NULL in all), 4 secondary indexes; {rounds} rounds idle, {rounds} rounds with {Writers} writers; durable={durable}; engine backfill workers={workers}");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} cores, {Uptime()}");
        var settings = new EphemeralPostgresOptions { Log = line => Console.WriteLine("  [postgres] " + line) };
        settings.Settings["shared_buffers"] = "128MB";
        settings.Settings["max_wal_size"] = "4GB";
        if (durable)
        {
            // What a production server does on commit: the per-batch commits pay their fsync.
            settings.Settings["fsync"] = "on";
            settings.Settings["synchronous_commit"] = "on";
            settings.Settings["full_page_writes"] = "on";
        }
        await using EphemeralPostgres server = await EphemeralPostgres.StartAsync(settings);
        Console.WriteLine($"  [postgres] {await BenchmarkDatabase.ScalarAsync<string>(server.ConnectionString, "select version()")}");

        string template = server.ConnectionStringFor("ledger");
        await BenchmarkDatabase.ExecuteAsync(server.ConnectionString, "CREATE DATABASE ledger");
        var clock = Stopwatch.StartNew();
        await using (LedgerContext context = Context(template))
            await context.Database.MigrateAsync(InitialMigration);
        await BenchmarkDatabase.ExecuteAsync(template, $@"
INSERT INTO ""Orders"" (""CustomerId"", ""Total"", ""Status"", ""CreatedAt"", ""Note"")
SELECT 1 + g % 50000, (g % 100000) / 100.0, (ARRAY['new','paid','shipped','delivered'])[1 + g % 4], now() - g * interval '1 minute',
       CASE WHEN g % 3 = 0 THEN 'gift wrap, leave at the door ' || g END
FROM generate_series(1, {rows}) g");
        // FREEZE: every page all-visible, as in a table that has lived a while (a plain VACUUM right after the load may leave the visibility map empty).
        await BenchmarkDatabase.ExecuteAsync(template, "VACUUM (FREEZE, ANALYZE) \"Orders\"");
        NpgsqlConnection.ClearAllPools();
        Console.WriteLine($"  populated in {clock.Elapsed.TotalSeconds:0.0} s; table + indexes {await BenchmarkDatabase.ScalarAsync<string>(template, "select pg_size_pretty(pg_total_relation_size('\"Orders\"')) || ', ' || relallvisible || ' of ' || relpages || ' pages all-visible' from pg_class where oid = '\"Orders\"'::regclass")}");

        var results = new List<Run>();
        int copy = 0;
        foreach (bool load in new[] { false, true })
        {
            for (int round = 1; round <= rounds; round++)
            {
                // Alternate which side goes first so a drifting machine load is spread over both.
                Side[] order = round % 2 == 1 ? new[] { Side.Update, Side.Engine } : new[] { Side.Engine, Side.Update };
                foreach (Side side in order)
                {
                    string database = "run" + (++copy).ToString(CultureInfo.InvariantCulture);
                    NpgsqlConnection.ClearAllPools();
                    await BenchmarkDatabase.ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {database} TEMPLATE ledger");
                    await BenchmarkDatabase.ExecuteAsync(server.ConnectionString, "CHECKPOINT");
                    Run run = await MeasureAsync(server.ConnectionStringFor(database), side, load, rows, round, workers);
                    results.Add(run);
                    Console.WriteLine($"  {run.Describe()}");
                    NpgsqlConnection.ClearAllPools();
                    await BenchmarkDatabase.ExecuteAsync(server.ConnectionString, $"DROP DATABASE {database} WITH (FORCE)");
                    if (!run.EndStateCorrect)
                    {
                        Console.WriteLine("end state WRONG: stopping");
                        return 1;
                    }
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| {rows:N0} rows{(durable ? ", fsync on" : string.Empty)} | one UPDATE (median) | engine backfill step (median) | engine apply total (median) | backfill / UPDATE rows/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (bool load in new[] { false, true })
        {
            Run[] updates = results.Where(r => r.Load == load && r.Side == Side.Update).ToArray();
            Run[] engines = results.Where(r => r.Load == load && r.Side == Side.Engine).ToArray();
            double update = Median(updates.Select(r => r.RowsPerSecond));
            double engine = Median(engines.Select(r => r.RowsPerSecond));
            Console.WriteLine($"| {(load ? $"{Writers} writers" : "no load")} | {update:N0} rows/s ({Median(updates.Select(r => r.Seconds)):0.0} s) | {engine:N0} rows/s ({Median(engines.Select(r => r.Seconds)):0.0} s) | {Median(engines.Select(r => r.ApplySeconds)):0.0} s | {engine / update:P0} |");
        }
        Console.WriteLine("per-round ratios: " + string.Join(", ", results.GroupBy(r => (r.Load, r.Round)).Select(g =>
            $"{(g.Key.Load ? "load" : "idle")}#{g.Key.Round} {g.Single(r => r.Side == Side.Engine).RowsPerSecond / g.Single(r => r.Side == Side.Update).RowsPerSecond:P0}")));
        Console.WriteLine($"  {Uptime()}");
        return 0;
    }

    private enum Side
    {
        Update,
        Engine,
    }

    private static async Task<Run> MeasureAsync(string connectionString, Side side, bool load, int rows, int round, int workers)
    {
        string uptime = Uptime();
        using var stop = new CancellationTokenSource();
        Task<long>[] writers = load
            ? Enumerable.Range(0, Writers).Select(i => Task.Run(() => WriteAsync(connectionString, rows, i, stop.Token))).ToArray()
            : Array.Empty<Task<long>>();
        if (load)
            await Task.Delay(TimeSpan.FromSeconds(1));

        var observer = new StepClock();
        // Sum of the batches' own durations over all workers: about workers x step time when the workers do not wait
        // for each other (their per-segment position records share one state row).
        TimeSpan batchTime = TimeSpan.Zero;
        int batches = 0;
        var clock = Stopwatch.StartNew();
        if (side == Side.Update)
        {
            await BenchmarkDatabase.ExecuteAsync(connectionString, UpdateSql);
        }
        else
        {
            var options = new EngineOptions { ConnectionString = connectionString, Phase = PhaseSelection.Expand, StepObserver = observer, BackfillWorkers = workers };
            options.ConfigureBackfill = backfill =>
            {
                Action<SafeMigrations.Engine.Backfill.BackfillProgress>? inner = backfill.Progress;
                backfill.Progress = progress =>
                {
                    inner?.Invoke(progress);
                    batchTime += progress.LastBatchDuration;
                    batches++;
                };
            };
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(LedgerContext).Assembly, nameof(LedgerContext), connectionString));
            await new MigrationEngine(catalog, options).ApplyAsync();
        }
        TimeSpan total = clock.Elapsed;
        stop.Cancel();
        long writes = (await Task.WhenAll(writers)).Sum();

        // Independent recompute: no row left unfilled, and the filled column equals the formula in every row.
        long unfilled = await BenchmarkDatabase.ScalarAsync<long>(connectionString, "SELECT count(*) FROM \"Orders\" WHERE \"TotalCents\" IS NULL");
        long wrong = await BenchmarkDatabase.ScalarAsync<long>(connectionString, $"SELECT count(*) FROM \"Orders\" WHERE \"TotalCents\" IS DISTINCT FROM {TotalCentsSql}");
        bool checksum = await BenchmarkDatabase.ScalarAsync<bool>(connectionString, $"SELECT sum(\"TotalCents\") = sum({TotalCentsSql}) FROM \"Orders\"");
        // For the reader: autovacuum can start during the batches (their dead rows are committed), never during the one UPDATE.
        string table = await BenchmarkDatabase.ScalarAsync<string>(connectionString,
            "SELECT pg_size_pretty(pg_total_relation_size(relid)) || ', autovacuum ' || autovacuum_count || 'x' FROM pg_stat_user_tables WHERE relname = 'Orders'");
        TimeSpan measured = side == Side.Engine ? observer.Elapsed : total;
        string batchNote = batches == 0 ? string.Empty : $"; {batches} batches, mean {batchTime.TotalMilliseconds / batches:0} ms, batch time / step time {batchTime.TotalSeconds / measured.TotalSeconds:0.00}";
        return new Run(side, load, round, rows / measured.TotalSeconds, measured.TotalSeconds, total.TotalSeconds, writes, unfilled, wrong, checksum, uptime + "; table after " + table + batchNote);
    }

    /// <summary>The new app version: inserts orders with TotalCents, updates random ones keeping both columns in step.</summary>
    private static async Task<long> WriteAsync(string connectionString, int rows, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        long done = 0;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (long i = 0; !stop.IsCancellationRequested; i++)
        {
            await using NpgsqlCommand command = i % 2 == 0
                ? new NpgsqlCommand("INSERT INTO \"Orders\" (\"CustomerId\", \"Total\", \"Status\", \"CreatedAt\", \"TotalCents\") VALUES ($1, $2, 'new', now(), ($2 * 100)::bigint)", connection)
                {
                    Parameters = { new() { Value = (long)random.Next(1, 50_001) }, new() { Value = random.Next(0, 100_000) / 100m } },
                }
                : new NpgsqlCommand("UPDATE \"Orders\" SET \"Total\" = \"Total\" + 1, \"TotalCents\" = ((\"Total\" + 1) * 100)::bigint WHERE \"Id\" = $1", connection)
                {
                    Parameters = { new() { Value = (long)random.Next(1, rows + 1) } },
                };
            // No timeout: behind the one UPDATE a writer waits as long as that statement runs.
            command.CommandTimeout = 0;
            try
            {
                await command.ExecuteNonQueryAsync(CancellationToken.None);
                done++;
            }
            catch (NpgsqlException exception)
            {
                Console.WriteLine("  writer error: " + exception.Message);
            }
            await Task.Delay(2, CancellationToken.None);
        }
        return done;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Uptime()
    {
        try
        {
            return "load average " + string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "load average unknown";
        }
    }

    private static LedgerContext Context(string connectionString)
        => new(new DbContextOptionsBuilder<LedgerContext>().UseNpgsql(connectionString).Options);

    private sealed record Run(Side Side, bool Load, int Round, double RowsPerSecond, double Seconds, double ApplySeconds, long Writes, long Unfilled, long Wrong, bool ChecksumEqual, string Uptime)
    {
        public bool EndStateCorrect => Unfilled == 0 && Wrong == 0 && ChecksumEqual;

        public string Describe()
            => $"{(Load ? "load" : "idle")} round {Round} {(Side == Side.Update ? "one UPDATE     " : "engine backfill")}: {Seconds,6:0.00} s, {RowsPerSecond,9:N0} rows/s" +
               (Side == Side.Engine ? $" (apply total {ApplySeconds:0.00} s)" : string.Empty) +
               (Load ? $", {Writes:N0} writer statements" : string.Empty) +
               $"; unfilled {Unfilled}, wrong {Wrong}, checksum {(ChecksumEqual ? "equal" : "DIFFERENT")}; {Uptime}";
    }

    /// <summary>Times the backfill step alone (from just before it runs to just after, its own verification included).</summary>
    private sealed class StepClock : IStepObserver
    {
        private readonly Stopwatch _clock = new();

        public TimeSpan Elapsed => _clock.Elapsed;

        public Task BeforeStepAsync(PlanStep step, NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            if (step.Backfill is not null)
                _clock.Restart();
            return Task.CompletedTask;
        }

        public Task BeforeCommitAsync(PlanStep step, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
            => Task.CompletedTask;

        public Task AfterStepAsync(PlanStep step, NpgsqlConnection connection, Exception? failure, CancellationToken cancellationToken)
        {
            if (step.Backfill is not null)
                _clock.Stop();
            return Task.CompletedTask;
        }
    }
}
