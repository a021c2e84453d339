using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SafeMigrations.Benchmarks.Infrastructure;
using SafeMigrations.Engine;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Postgres;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Benchmarks.ApplyStall;

/// <summary>
/// Issue 4's acceptance scenario, side by side in one run: the plain scaffolded migration <see cref="OrderRules"/>
/// (SET NOT NULL, CREATE INDEX, ADD FOREIGN KEY, ADD CHECK) on an Orders table of N rows, applied (a) with EF Core's
/// <c>Database.Migrate()</c> and (b) with the SafeMigrations engine (phase All, in process: what
/// <c>SafeMigrationsApply -p:SafeMigrationsPhase=All</c> runs), on two identical databases, while 4 writers insert and
/// update orders and time every statement. Not a test: it prints numbers, it asserts nothing but the end state.
/// </summary>
public static class ApplyStallBenchmark
{
    private const int Writers = 4;
    private const int Customers = 10_000;
    private const string Target = "20250102000000_OrderRules";

    public static async Task<int> RunAsync(int rows)
    {
        Console.WriteLine($"apply-stall: Orders with {rows:N0} rows, {Customers:N0} customers, {Writers} writers, migration {Target}");
        var settings = new EphemeralPostgresOptions { Log = line => Console.WriteLine("  [postgres] " + line) };
        settings.Settings["shared_buffers"] = "128MB";
        await using EphemeralPostgres server = await EphemeralPostgres.StartAsync(settings);
        Console.WriteLine($"  [postgres] {await BenchmarkDatabase.ScalarAsync<string>(server.ConnectionString, "select version()")}");

        // One populated database, then an identical copy of it (CREATE DATABASE ... TEMPLATE).
        string plainDb = server.ConnectionStringFor("plain");
        string engineDb = server.ConnectionStringFor("engine");
        await BenchmarkDatabase.ExecuteAsync(server.ConnectionString, "CREATE DATABASE plain");
        var clock = Stopwatch.StartNew();
        await using (ShopContext context = Context(plainDb))
            await context.Database.MigrateAsync("20250101000000_Initial");
        await BenchmarkDatabase.ExecuteAsync(plainDb, $@"
INSERT INTO ""Customers"" (""Name"") SELECT 'customer ' || g FROM generate_series(1, {Customers}) g;
INSERT INTO ""Orders"" (""CustomerId"", ""Total"", ""Status"", ""CreatedAt"")
SELECT 1 + g % {Customers}, (g % 100000) / 100.0, CASE WHEN g % 100 = 0 THEN NULL ELSE 'shipped' END, now() - g * interval '1 minute'
FROM generate_series(1, {rows}) g;");
        await BenchmarkDatabase.ExecuteAsync(plainDb, "VACUUM ANALYZE \"Customers\"");
        await BenchmarkDatabase.ExecuteAsync(plainDb, "VACUUM ANALYZE \"Orders\"");
        NpgsqlConnection.ClearAllPools();
        await BenchmarkDatabase.ExecuteAsync(server.ConnectionString, "CREATE DATABASE engine TEMPLATE plain");
        Console.WriteLine($"  populated and copied in {clock.Elapsed.TotalSeconds:0.0} s ({rows / 100:N0} NULL statuses to fill)");

        Result plain = await MeasureAsync("plain EF Core Database.Migrate()", plainDb, rows, async () =>
        {
            await using ShopContext context = Context(plainDb);
            context.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
            await context.Database.MigrateAsync();
        });
        Result engine = await MeasureAsync("SafeMigrations engine, apply --phase All", engineDb, rows, async () =>
        {
            var options = new EngineOptions { ConnectionString = engineDb, Phase = PhaseSelection.All, Log = new ConsoleLog() };
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(ShopContext).Assembly, nameof(ShopContext), engineDb));
            await new MigrationEngine(catalog, options).ApplyAsync();
        });

        string plainState = await EndStateAsync(plainDb);
        string engineState = await EndStateAsync(engineDb);
        bool same = plainState == engineState;

        Console.WriteLine();
        Console.WriteLine($"| {rows:N0} rows, {Writers} writers | plain Migrate() | SafeMigrations engine |");
        Console.WriteLine("|---|---:|---:|");
        Row("migration total time", plain.Total.TotalMilliseconds, engine.Total.TotalMilliseconds, "N0");
        Row("worst writer stall", plain.WorstMs, engine.WorstMs, "N0");
        Row("writer p99", plain.P99Ms, engine.P99Ms, "N1");
        Row("writer median", plain.MedianMs, engine.MedianMs, "N1");
        Console.WriteLine($"| writer errors | {plain.Errors} | {engine.Errors} |");
        Console.WriteLine($"| writer statements (1 s before to 0.5 s after) | {plain.Operations:N0} | {engine.Operations:N0} |");
        Console.WriteLine();
        Console.WriteLine($"ratio of worst writer stalls (plain / engine): {plain.WorstMs / engine.WorstMs:0.0}x");
        Console.WriteLine($"end state (constraints, indexes, columns, EF history): {(same ? "identical" : "DIFFERENT")}");
        if (!same)
        {
            Console.WriteLine("plain:\n" + plainState);
            Console.WriteLine("engine:\n" + engineState);
            return 1;
        }
        return 0;

        static void Row(string name, double a, double b, string format)
            => Console.WriteLine($"| {name} | {a.ToString(format, CultureInfo.InvariantCulture)} ms | {b.ToString(format, CultureInfo.InvariantCulture)} ms |");
    }

    private static ShopContext Context(string connectionString)
        => new(new DbContextOptionsBuilder<ShopContext>().UseNpgsql(connectionString).Options);

    private static async Task<Result> MeasureAsync(string name, string connectionString, int rows, Func<Task> migrate)
    {
        Console.WriteLine();
        Console.WriteLine($"== {name}");
        using var stop = new CancellationTokenSource();
        Task<WriterStats>[] writers = Enumerable.Range(0, Writers).Select(i => Task.Run(() => WriteAsync(connectionString, rows, i, stop.Token))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1)); // writers running before the migration starts
        var clock = Stopwatch.StartNew();
        await migrate();
        TimeSpan total = clock.Elapsed;
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // and after it, so a statement released at the end is counted
        stop.Cancel();
        WriterStats[] stats = await Task.WhenAll(writers);

        double[] latencies = stats.SelectMany(s => s.LatenciesMs).OrderBy(l => l).ToArray();
        foreach (string error in stats.SelectMany(s => s.Errors).Distinct().Take(5))
            Console.WriteLine("  writer error: " + error);
        var result = new Result(total, latencies.Length, stats.Sum(s => s.Errors.Count), latencies.Length == 0 ? 0 : latencies[^1], Percentile(latencies, 0.99), Percentile(latencies, 0.5));
        Console.WriteLine($"  migration {total.TotalMilliseconds:N0} ms; writers: {result.Operations:N0} statements, worst {result.WorstMs:N0} ms, p99 {result.P99Ms:N1} ms, {result.Errors} errors");
        return result;
    }

    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>The app: inserts an order, then updates a random one, again and again; times every statement.</summary>
    private static async Task<WriterStats> WriteAsync(string connectionString, int rows, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        var stats = new WriterStats();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (long i = 0; !stop.IsCancellationRequested; i++)
        {
            await using NpgsqlCommand command = i % 2 == 0
                ? new NpgsqlCommand("INSERT INTO \"Orders\" (\"CustomerId\", \"Total\", \"Status\", \"CreatedAt\") VALUES ($1, $2, 'new', now())", connection)
                {
                    Parameters = { new() { Value = (long)random.Next(1, Customers + 1) }, new() { Value = random.Next(0, 100_000) / 100m } },
                }
                : new NpgsqlCommand("UPDATE \"Orders\" SET \"Status\" = 'paid', \"Total\" = \"Total\" + 1 WHERE \"Id\" = $1", connection)
                {
                    Parameters = { new() { Value = (long)random.Next(1, rows + 1) } },
                };
            var clock = Stopwatch.StartNew();
            try
            {
                await command.ExecuteNonQueryAsync(CancellationToken.None);
                stats.LatenciesMs.Add(clock.Elapsed.TotalMilliseconds);
            }
            catch (Exception exception) when (exception is NpgsqlException || exception is InvalidOperationException)
            {
                stats.LatenciesMs.Add(clock.Elapsed.TotalMilliseconds);
                stats.Errors.Add(exception.Message);
            }
            await Task.Delay(2, CancellationToken.None);
        }
        return stats;
    }

    /// <summary>Constraints (with validation), indexes (with validity), columns (nullability, default) and EF history.</summary>
    private static Task<string> EndStateAsync(string connectionString) => BenchmarkDatabase.ScalarAsync<string>(connectionString, @"
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT 'constraint ' || conname || ': ' || pg_get_constraintdef(oid) || (CASE WHEN convalidated THEN '' ELSE ' (NOT VALIDATED)' END)
  FROM pg_constraint WHERE conrelid IN ('""Orders""'::regclass, '""Customers""'::regclass)
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(indexrelid) || (CASE WHEN indisvalid THEN '' ELSE ' (INVALID)' END)
  FROM pg_index WHERE indrelid IN ('""Orders""'::regclass, '""Customers""'::regclass)
  UNION ALL
  SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || (CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END) || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attrelid IN ('""Orders""'::regclass, '""Customers""'::regclass) AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'history ' || ""MigrationId"" FROM ""__EFMigrationsHistory""
  UNION ALL
  SELECT 'NULL statuses: ' || count(*) FROM ""Orders"" WHERE ""Status"" IS NULL
) s(x)");

    private sealed record Result(TimeSpan Total, long Operations, int Errors, double WorstMs, double P99Ms, double MedianMs);

    private sealed class WriterStats
    {
        public List<double> LatenciesMs { get; } = new();

        public List<string> Errors { get; } = new();
    }

    /// <summary>The engine's step lines (progress every second is left out).</summary>
    private sealed class ConsoleLog : IEngineLog
    {
        public void Write(EngineMessageLevel level, string? code, string message)
        {
            if (level != EngineMessageLevel.Progress)
                Console.WriteLine($"  {level.ToString().ToLowerInvariant()}: {(code is null ? string.Empty : code + ": ")}{message}");
        }
    }
}
