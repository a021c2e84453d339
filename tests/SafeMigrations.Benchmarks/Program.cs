using System;
using System.Diagnostics;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace SafeMigrations.Benchmarks;

/// <summary>
/// `dotnet run -c Release --project tests/SafeMigrations.Benchmarks` runs BenchmarkDotNet;
/// `... -- --quick [migrations]` does one scripted side-by-side run and prints the ratio (for a quick look);
/// `... -- --apply-stall [rows]` applies a plain scaffolded migration with Database.Migrate() and with the engine while
/// writers run, and prints their stalls side by side (ApplyStall/ApplyStallBenchmark.cs).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--quick")
        {
            var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;
            return Quick(count);
        }

        if (args.Length > 0 && args[0] == "--analyzer-profile")
        {
            var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;
            return AnalyzerCost.AnalyzerCostProfile.Run(() => CorpusCompilation.Create(count));
        }

        if (args.Length > 0 && args[0] == "--apply-stall")
        {
            var rows = args.Length > 1 ? int.Parse(args[1].Replace("_", string.Empty), System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
            return ApplyStall.ApplyStallBenchmark.RunAsync(rows).GetAwaiter().GetResult();
        }

        var config = DefaultConfig.Instance.AddJob(
            Job.Default.WithWarmupCount(1).WithIterationCount(5).WithLaunchCount(1)
                .WithInvocationCount(1).WithUnrollFactor(1));
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }

    private static int Quick(int count)
    {
        var bench = new AnalyzerCostBenchmark { Migrations = count };
        bench.Setup();

        // The corpus must compile cleanly, or the numbers measure error recovery instead of real code.
        var errors = CorpusCompilation.Create(count).GetDiagnostics()
            .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0)
        {
            Console.Error.WriteLine($"generated corpus does not compile: {errors[0]}");
            return 1;
        }

        Console.WriteLine($"{count} migrations, {CorpusCompilation.LoadAnalyzers().Length} analyzers");

        // Warm up both paths once (JIT), then alternate to spread machine noise over both.
        bench.Compile();
        var found = bench.CompileAndAnalyze().GetAwaiter().GetResult();
        bench.CompileAndEmptyOperationAnalyzer().GetAwaiter().GetResult();
        double compile = 0, empty = 0, analyze = 0;
        const int Rounds = 3;
        for (var i = 0; i < Rounds; i++)
        {
            var sw = Stopwatch.StartNew();
            bench.Compile();
            compile += sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            bench.CompileAndEmptyOperationAnalyzer().GetAwaiter().GetResult();
            empty += sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            bench.CompileAndAnalyze().GetAwaiter().GetResult();
            analyze += sw.Elapsed.TotalMilliseconds;
        }

        Console.WriteLine($"compile:                             {compile / Rounds,8:F0} ms");
        Console.WriteLine($"compile + empty IOperation analyzer: {empty / Rounds,8:F0} ms");
        Console.WriteLine($"compile + SafeMigrations analyzers:  {analyze / Rounds,8:F0} ms  ({found} diagnostics)");
        Console.WriteLine($"ratio SafeMigrations / compile:             {analyze / compile,6:F2}");
        Console.WriteLine($"ratio SafeMigrations / empty IOperation analyzer: {analyze / empty,6:F2}");
        return 0;
    }
}
