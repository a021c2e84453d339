using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Postgres;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Benchmarks.StallTable;

/// <summary>
/// Issue 12 item 3: every scenario of <see cref="StallScenario.All"/> applied with plain <c>Database.Migrate()</c> and
/// with the engine (in process, what <c>apply --phase All</c> runs) while writers and readers run, at each table size.
/// One base database per size (generate_series, then indexes); each run gets a fresh copy (CREATE DATABASE ...
/// TEMPLATE) that is dropped right after. The two sides of a scenario run back to back, their order alternating.
/// Prints one markdown row per run; asserts nothing.
/// </summary>
public static class StallTableBenchmark
{
    private const int Writers = 4;
    private const int Readers = 4;
    private const int Customers = 10_000;
    private static readonly TimeSpan Warmup = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Baseline = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan After = TimeSpan.FromMilliseconds(500);

    /// <summary>Scenarios of the quick mode: one per kind of engine step (index, check, backfill, swap).</summary>
    private static readonly string[] Quick = { "create index", "SET NOT NULL", "int → bigint", "one-shot backfill" };

    /// <summary>The engine's backfill batch target; null = the engine's default (third argument, in ms).</summary>
    private static TimeSpan? _batchDuration;

    /// <summary><c>--stall-table [sizes, e.g. 1M,4M] [all | quick | comma-separated scenario names] [backfill batch ms]</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 2)
            _batchDuration = TimeSpan.FromMilliseconds(int.Parse(args[2], CultureInfo.InvariantCulture));
        long[] sizes = (args.Length > 0 ? args[0] : "1M,4M").Split(',').Select(ParseSize).ToArray();
        string which = args.Length > 1 ? args[1] : "all";
        StallScenario[] scenarios = which switch
        {
            "all" => StallScenario.All(),
            "quick" => StallScenario.All().Where(s => Quick.Contains(s.Name)).ToArray(),
            // In the order given, so the scenarios that matter most run first when time is short.
            _ => which.Split(',').SelectMany(w => StallScenario.All().Where(s => s.Name.StartsWith(w.Trim(), StringComparison.OrdinalIgnoreCase))).ToArray(),
        };
        if (scenarios.Length == 0)
        {
            Console.Error.WriteLine($"no scenario matches '{which}'; names: {string.Join(", ", StallScenario.All().Select(s => s.Name))}");
            return 2;
        }

        Console.WriteLine($"stall-table: sizes {string.Join(", ", sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))}; {Writers} writers + {Readers} readers; {Environment.ProcessorCount} cores; load at start {LoadAverage()}; engine backfill batch target {(_batchDuration is { } b ? b.TotalMilliseconds + " ms" : "default")}");
        var results = new List<RunResult>();
        foreach (long rows in sizes)
        {
            var settings = new EphemeralPostgresOptions { Log = line => Console.WriteLine("  [postgres] " + line) };
            settings.Settings["shared_buffers"] = "256MB";
            settings.Settings["max_wal_size"] = "8GB";
            settings.Settings["timezone"] = "UTC";
            await using (EphemeralPostgres server = await EphemeralPostgres.StartAsync(settings))
            {
                Console.WriteLine($"  [postgres] {await StallDatabase.ScalarAsync<string>(server.ConnectionString, "select version()")}");
                var clock = Stopwatch.StartNew();
                await StallDatabase.CreateBaseAsync(server, rows, Customers);
                Console.WriteLine($"  base database of {rows:N0} rows built in {clock.Elapsed.TotalSeconds:0.0} s");
                for (int i = 0; i < scenarios.Length; i++)
                {
                    // Alternate which side goes first, so a drift in machine load does not favour one side.
                    bool plainFirst = i % 2 == 0;
                    foreach (bool plain in plainFirst ? new[] { true, false } : new[] { false, true })
                    {
                        RunResult result = await RunOneAsync(server, scenarios[i], plain, rows);
                        results.Add(result);
                        Console.WriteLine(Row(result));
                        Window worst = result.WriterRun.Worst >= result.ReaderRun.Worst ? result.WriterRun : result.ReaderRun;
                        Console.WriteLine($"  worst stall began {worst.WorstStartMs / 1000:0.00}s into the migration");
                    }
                }
                await StallDatabase.ExecuteAsync(server.ConnectionString, "DROP DATABASE IF EXISTS stall_base WITH (FORCE)");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"load at end {LoadAverage()}");
        Console.WriteLine();
        foreach (StallScenario scenario in scenarios)
            Console.WriteLine($"- {scenario.Name}: {scenario.Sides}");
        Console.WriteLine();
        Console.WriteLine(Header);
        foreach (RunResult result in results.OrderBy(r => Array.FindIndex(scenarios, s => s.Name == r.Scenario.Name)).ThenBy(r => r.Rows).ThenBy(r => r.Plain ? 0 : 1))
            Console.WriteLine(Row(result));
        foreach (StallScenario scenario in scenarios)
        {
            RunResult[] engine = results.Where(r => r.Scenario.Name == scenario.Name && !r.Plain).OrderBy(r => r.Rows).ToArray();
            RunResult[] plain = results.Where(r => r.Scenario.Name == scenario.Name && r.Plain).OrderBy(r => r.Rows).ToArray();
            foreach (RunResult e in engine)
            {
                RunResult? p = plain.FirstOrDefault(r => r.Rows == e.Rows);
                if (p is not null && e.WorstMs > p.WorstMs)
                    Console.WriteLine($"note: {scenario.Name} at {e.Rows:N0}: engine worst stall {e.WorstMs:N0} ms > plain {p.WorstMs:N0} ms");
                if (e.WorstMs >= 100)
                    Console.WriteLine($"note: {scenario.Name} at {e.Rows:N0}: engine worst stall {e.WorstMs:N0} ms (target < 100 ms), of it waiting on a lock at most {e.LockWaitMs:N0} ms");
            }
        }
        return 0;
    }

    private static async Task<RunResult> RunOneAsync(EphemeralPostgres server, StallScenario scenario, bool plain, long rows)
    {
        string database = "stall_run";
        string connectionString = server.ConnectionStringFor(database);
        NpgsqlConnection.ClearAllPools();
        await StallDatabase.ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {database} TEMPLATE stall_base");
        StallContext.ActiveMigration = plain ? scenario.PlainMigration : scenario.EngineMigration;
        string load = LoadAverage();
        Console.WriteLine();
        Console.WriteLine($"== {rows:N0} rows, {scenario.Name}, {(plain ? "plain Migrate()" : "engine")} ({StallContext.ActiveMigration}); load {load}");

        var clock = Stopwatch.StartNew();
        StallLoad running = StallLoad.Start(connectionString, rows, Customers, Writers, Readers, clock);
        await Task.Delay(Warmup + Baseline);
        double start = clock.Elapsed.TotalMilliseconds;
        var batches = new BatchDurations();
        string? failure = null;
        try
        {
            if (plain)
            {
                await using var context = new StallContext(new DbContextOptionsBuilder<StallContext>().UseNpgsql(connectionString).Options);
                context.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
                await context.Database.MigrateAsync();
            }
            else
            {
                var options = new EngineOptions { ConnectionString = connectionString, Phase = scenario.EnginePhase, Log = new StepLog(clock, start) };
                if (_batchDuration is { } batch)
                    options.BackfillBatchDuration = batch;
                options.ConfigureBackfill = backfill => batches.Listen(backfill, clock, start);
                using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(StallContext).Assembly, nameof(StallContext), connectionString));
                await new MigrationEngine(catalog, options).ApplyAsync();
            }
        }
        catch (Exception exception)
        {
            failure = exception.GetType().Name + ": " + exception.Message.Split('\n')[0];
            Console.WriteLine("  migration FAILED: " + failure);
        }
        double end = clock.Elapsed.TotalMilliseconds;
        batches.Print();
        await Task.Delay(After);
        LoadResult result = await running.StopAsync();
        foreach (string error in result.Errors.Distinct().Take(3))
            Console.WriteLine("  app error: " + error);

        long wrong = await StallDatabase.WrongRowsAsync(connectionString, scenario, rows, result.Written);
        string state = await StallDatabase.ScalarAsync<string>(connectionString, $"SELECT string_agg(x, '; ') FROM ({scenario.EndStateSql}) s(x)");
        NpgsqlConnection.ClearAllPools();
        await StallDatabase.ExecuteAsync(server.ConnectionString, $"DROP DATABASE {database} WITH (FORCE)");

        return new RunResult(scenario, rows, plain, load, end - start, failure,
            Window.Of(result.Writes, start - Baseline.TotalMilliseconds, start), Window.Of(result.Writes, start, end),
            Window.Of(result.Reads, start - Baseline.TotalMilliseconds, start), Window.Of(result.Reads, start, end),
            result.Errors.Length, wrong, state ?? "?", Window.Of(result.LockWaits, start, end).Worst);
    }

    private const string Header =
        "| rows | scenario | side | migration ms | worst stall ms (baseline worst) | worst lock wait ms | writer p50 / p99 / p99.9 ms (baseline → migration) | reader p50 / p99 / p99.9 ms (baseline → migration) | app errors | wrong rows | end state | load |\n" +
        "|---:|---|---|---:|---:|---:|---|---|---:|---:|---|---|";

    private static string Row(RunResult r)
        => $"| {r.Rows / 1_000_000.0:0.#}M | {r.Scenario.Name} | {(r.Plain ? "plain" : "engine")} | {r.MigrationMs:N0}{(r.Failure is null ? string.Empty : " FAILED")} | {r.WorstMs:N0} ({Math.Max(r.WriterBase.Worst, r.ReaderBase.Worst):N0}) | {r.LockWaitMs:N0} | " +
           $"{r.WriterBase.Percentiles} → {r.WriterRun.Percentiles} | {r.ReaderBase.Percentiles} → {r.ReaderRun.Percentiles} | {r.Errors} | {(r.Wrong < 0 ? "check failed" : r.Wrong.ToString("N0", CultureInfo.InvariantCulture))} | {r.State} | {r.Load} |";

    private static long ParseSize(string text)
    {
        text = text.Trim().Replace("_", string.Empty);
        long factor = text.EndsWith("M", StringComparison.OrdinalIgnoreCase) ? 1_000_000 : text.EndsWith("k", StringComparison.OrdinalIgnoreCase) ? 1_000 : 1;
        return (long)(double.Parse(factor == 1 ? text : text[..^1], CultureInfo.InvariantCulture) * factor);
    }

    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private sealed record RunResult(StallScenario Scenario, long Rows, bool Plain, string Load, double MigrationMs, string? Failure,
        Window WriterBase, Window WriterRun, Window ReaderBase, Window ReaderRun, int Errors, long Wrong, string State, double LockWaitMs)
    {
        public double WorstMs => Math.Max(WriterRun.Worst, ReaderRun.Worst);
    }

    /// <summary>Latencies of the statements that were running at some point in [from, to).</summary>
    private sealed record Window(double P50, double P99, double P999, double Worst, double WorstStartMs)
    {
        public string Percentiles => string.Create(CultureInfo.InvariantCulture, $"{P50:0.0} / {P99:0.0} / {P999:0.0}");

        public static Window Of(Sample[] samples, double from, double to)
        {
            Sample[] inWindow = samples.Where(s => s.StartMs < to && s.StartMs + s.LatencyMs >= from).OrderBy(s => s.LatencyMs).ToArray();
            double[] sorted = inWindow.Select(s => s.LatencyMs).ToArray();
            return new Window(Percentile(sorted, 0.5), Percentile(sorted, 0.99), Percentile(sorted, 0.999), sorted.Length == 0 ? 0 : sorted[^1],
                inWindow.Length == 0 ? 0 : inWindow[^1].StartMs - from);
        }

        private static double Percentile(double[] sorted, double p)
            => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
    }

    /// <summary>The engine's step lines, stamped with the time since the migration started.</summary>
    private sealed class StepLog : IEngineLog
    {
        private readonly Stopwatch _clock;
        private readonly double _start;

        public StepLog(Stopwatch clock, double start)
        {
            _clock = clock;
            _start = start;
        }

        public void Write(EngineMessageLevel level, string? code, string message)
        {
            if (level != EngineMessageLevel.Progress)
                Console.WriteLine($"  {(_clock.Elapsed.TotalMilliseconds - _start) / 1000:0.00}s {level.ToString().ToLowerInvariant()}: {(code is null ? string.Empty : code + ": ")}{message}");
        }
    }
}
