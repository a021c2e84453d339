using System;
using System.Diagnostics;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace SafeMigrations.Benchmarks;

/// <summary>
/// `dotnet run -c Release --project tests/SafeMigrations.Benchmarks` runs BenchmarkDotNet;
/// `... -- --quick [migrations] [--rounds N]` does one scripted side-by-side run on the generated migrations-only project
/// and prints the ratios (`--before DIR` adds another build's SafeMigrations.Analyzers.dll as one more side), `--app-cost [migrations] [entities] [--designers] [--rounds N]` the same on a generated application, and
/// `--analyzer-profile [migrations|app]` where the analyzers' time goes (AnalyzerCost/); `--floors [migrations|app]` what an empty
/// analyzer costs the driver for each kind of action it registers;
/// `... -- --apply-stall [rows]` applies a plain scaffolded migration with Database.Migrate() and with the engine while
/// writers run, and prints their stalls side by side (ApplyStall/ApplyStallBenchmark.cs);
/// `... -- --backfill [rows] [rounds] [--durable] [--workers N]` compares the engine's keyset backfill with one UPDATE, idle and under
/// writers (Backfill/BackfillBenchmark.cs);
/// `... -- --stall-table [1M,4M] [all|quick|names]` measures stalls as --apply-stall does, per scenario and table size, with readers too (StallTable/).
/// </summary>
public static class Program
{
    private static int FloorsCount(string[] args) =>
        args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--quick")
        {
            var count = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;
            return AnalyzerCost.AnalyzerCostRun.Run($"{count} generated migrations", MigrationCorpus.Generate(count), Rounds(args, 2), args);
        }

        if (args.Length > 0 && args[0] == "--app-cost")
        {
            var migrations = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 300;
            var entities = args.Length > 2 && !args[2].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 80;
            var files = AnalyzerCost.AppCorpus.Generate(migrations, entities, designers: Array.IndexOf(args, "--designers") > 0);
            var (migrationLines, ordinaryLines) = AnalyzerCost.AppCorpus.Lines(files);
            return AnalyzerCost.AnalyzerCostRun.Run($"app: {migrations} migrations ({migrationLines} lines of migration files), {entities} entities ({ordinaryLines} lines of ordinary code)", files, Rounds(args, 3), args);
        }

        if (args.Length > 0 && args[0] == "--floors")
        {
            return AnalyzerCost.DriverFloors.Run(args.Length > 1 && args[1] == "app"
                ? CorpusCompilation.Create("App", AnalyzerCost.AppCorpus.Generate(300, 80, designers: false))
                : CorpusCompilation.Create(FloorsCount(args)), Rounds(args, 3), args.Length > 1 && args[1] == "app" ? null : MigrationCorpus.Id(FloorsCount(args) - 11));
        }

        if (args.Length > 0 && args[0] == "--analyzer-profile")
        {
            return AnalyzerCost.AnalyzerCostProfile.Run(args.Length > 1 && args[1] == "app"
                ? () => CorpusCompilation.Create("App", AnalyzerCost.AppCorpus.Generate(300, 80, designers: false))
                : () => CorpusCompilation.Create(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000));
        }

        if (args.Length > 0 && args[0] == "--apply-stall")
        {
            var rows = args.Length > 1 ? int.Parse(args[1].Replace("_", string.Empty), System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
            return ApplyStall.ApplyStallBenchmark.RunAsync(rows).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "--backfill")
        {
            string[] rest = Backfill.BackfillBenchmark.TakeWorkers(args.Skip(1).ToArray(), out int workers);
            var numbers = rest.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a.Replace("_", string.Empty), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            return Backfill.BackfillBenchmark.RunAsync(numbers.Length > 0 ? numbers[0] : 2_000_000, numbers.Length > 1 ? numbers[1] : 3, args.Contains("--durable"), workers).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "--stall-table")
            return StallTable.StallTableBenchmark.RunAsync(args.Skip(1).ToArray()).GetAwaiter().GetResult();

        var config = DefaultConfig.Instance.AddJob(
            Job.Default.WithWarmupCount(1).WithIterationCount(5).WithLaunchCount(1)
                .WithInvocationCount(1).WithUnrollFactor(1));
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }

    /// <summary>`--rounds N` anywhere after the flag; otherwise <paramref name="fallback"/>.</summary>
    private static int Rounds(string[] args, int fallback)
    {
        var at = Array.IndexOf(args, "--rounds");
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
