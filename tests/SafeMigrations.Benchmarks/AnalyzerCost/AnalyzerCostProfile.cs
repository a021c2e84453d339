using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Analyzers.Reading;

namespace SafeMigrations.Benchmarks.AnalyzerCost;

/// <summary>
/// Where the analyzers' time goes (`--analyzer-profile [migrations]`): Roslyn's own per-analyzer execution times
/// (sequential analysis, so each figure is that analyzer's alone), then each phase of the shared pipeline timed on its
/// own over every migration of a fresh compilation: binding Up/Down into operations, reading them into models, scanning
/// their SQL, replaying the schema history and reading the Designer target models.
/// </summary>
public static class AnalyzerCostProfile
{
    public static int Run(Func<CSharpCompilation> create)
    {
        var analyzers = CorpusCompilation.LoadAnalyzers();
        Console.WriteLine($"load average: {LoadAverage.Read()}");

        // Warm-up (JIT), then one measured pass.
        Telemetry(create(), analyzers);
        var telemetry = Telemetry(create(), analyzers);
        Console.WriteLine($"Roslyn per-analyzer execution time (sequential), total {telemetry.Sum(t => t.Time.TotalMilliseconds):F0} ms:");
        foreach (var (name, time, symbolStarts, blocks) in telemetry.OrderByDescending(t => t.Time))
        {
            Console.WriteLine($"  {name,-45} {time.TotalMilliseconds,8:F1} ms  symbol-start actions {symbolStarts}, operation-block actions {blocks}");
        }

        Phases(create());
        Phases(create());
        Scaling(create, analyzers);
        Console.WriteLine($"load average: {LoadAverage.Read()}");
        return 0;
    }

    private static List<(string Name, TimeSpan Time, int SymbolStarts, int Blocks)> Telemetry(CSharpCompilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
            concurrentAnalysis: false, logAnalyzerExecutionTime: true));
        var analysis = withAnalyzers.GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult();
        var result = new List<(string, TimeSpan, int, int)>();
        foreach (var analyzer in analyzers)
        {
            var info = analysis.AnalyzerTelemetryInfo[analyzer];
            result.Add((analyzer.GetType().Name, info.ExecutionTime, info.SymbolStartActionsCount, info.OperationBlockActionsCount));
        }

        return result;
    }

    /// <summary>
    /// Driver cost by number of rules: one rule alone against all of them, interleaved; and as many empty named-type
    /// symbol-action analyzers as there are rules (what the driver charges per analyzer, whatever the rules do).
    /// </summary>
    private static void Scaling(Func<CSharpCompilation> create, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var empties = Enumerable.Range(0, analyzers.Length).Select(_ => (DiagnosticAnalyzer)new EmptySymbolActionAnalyzer()).ToImmutableArray();
        var sets = new (string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers)[]
        {
            ("compile alone", ImmutableArray<DiagnosticAnalyzer>.Empty),
            ("compile +  1 rule", analyzers.Take(1).ToImmutableArray()),
            ("compile +  6 rules", analyzers.Take(6).ToImmutableArray()),
            ($"compile + {analyzers.Length} rules", analyzers),
            ("compile +  1 empty symbol-action analyzer", empties.Take(1).ToImmutableArray()),
            ($"compile + {analyzers.Length} empty symbol-action analyzers", empties),
        };
        var totals = new double[sets.Length];
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < sets.Length; i++)
            {
                var compilation = create();
                var sw = Stopwatch.StartNew();
                if (sets[i].Analyzers.IsEmpty)
                {
                    compilation.GetDiagnostics();
                }
                else
                {
                    compilation.WithAnalyzers(sets[i].Analyzers).GetAllDiagnosticsAsync().GetAwaiter().GetResult();
                }

                if (round > 0)
                {
                    totals[i] += sw.Elapsed.TotalMilliseconds;
                }
            }
        }

        for (var i = 0; i < sets.Length; i++)
        {
            Console.WriteLine($"  {sets[i].Name,-45} {totals[i] / 2,8:F0} ms  ({totals[i] / totals[0],4:F2}x)");
        }
    }

    private static void Phases(CSharpCompilation compilation)
    {
        var symbols = EfSymbols.Resolve(compilation)!;
        var methods = new List<(INamedTypeSymbol Type, IMethodSymbol Method, MigrationDirection Direction, SyntaxNode Syntax)>();
        var sw = Stopwatch.StartNew();
        compilation.GetDiagnostics();
        var compile = sw.Elapsed;

        sw.Restart();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>())
            {
                if (model.GetDeclaredSymbol(declaration) is { } type && symbols.IsMigration(type))
                {
                    foreach (var member in type.GetMembers())
                    {
                        if (member is IMethodSymbol method && symbols.IsUpOrDown(method, out var direction) && method.DeclaringSyntaxReferences.Length > 0)
                        {
                            methods.Add((type, method, direction, method.DeclaringSyntaxReferences[0].GetSyntax()));
                        }
                    }
                }
            }
        }

        var find = sw.Elapsed;

        // What the analyzers do now: read from syntax, binding only the methods the syntax reader leaves.
        sw.Restart();
        var fromSyntax = methods.Count(m => m.Syntax is MethodDeclarationSyntax declaration
                                            && SyntaxMigrationReader.TryRead(symbols, compilation, m.Type, m.Method, m.Direction, declaration) != null);
        var syntaxRead = sw.Elapsed;

        sw.Restart();
        var operations = methods.Select(m => compilation.GetSemanticModel(m.Syntax.SyntaxTree).GetOperation(m.Syntax)!).ToArray();
        var bind = sw.Elapsed;

        sw.Restart();
        var models = new Dictionary<IMethodSymbol, MigrationModel>(SymbolEqualityComparer.Default);
        for (var i = 0; i < methods.Count; i++)
        {
            models[methods[i].Method] = MigrationReader.Read(symbols, methods[i].Type, methods[i].Method, methods[i].Direction, ImmutableArray.Create(operations[i]));
        }

        var read = sw.Elapsed;

        sw.Restart();
        var statements = 0;
        foreach (var model in models.Values)
        {
            statements += model.SqlStatements().Count();
        }

        var scan = sw.Elapsed;

        sw.Restart();
        var history = HistoryReader.Build(compilation, symbols, (_, m) => models.TryGetValue(m, out var found) ? found : null, (_, _, _, _) => null, CancellationToken.None);
        var replay = sw.Elapsed;

        sw.Restart();
        var targets = 0;
        foreach (var type in methods.Select(m => m.Type).Distinct(SymbolEqualityComparer.Default).Cast<INamedTypeSymbol>())
        {
            targets += TargetModelReader.Read(type, CancellationToken.None) is null ? 0 : 1;
        }

        var designer = sw.Elapsed;

        Console.WriteLine($"phases over {methods.Count} Up/Down methods ({statements} SQL statements, {targets} Designer target models):");
        Console.WriteLine($"  compile (GetDiagnostics)                {compile.TotalMilliseconds,8:F1} ms");
        Console.WriteLine($"  find migration types and Up/Down        {find.TotalMilliseconds,8:F1} ms");
        Console.WriteLine($"  read Up/Down from syntax                {syntaxRead.TotalMilliseconds,8:F1} ms  ({fromSyntax} of {methods.Count} recognised; the rest are bound)");
        Console.WriteLine($"  bind Up/Down into operation trees       {bind.TotalMilliseconds,8:F1} ms  (all of them, as the binding reader would)");
        Console.WriteLine($"  read operations into models             {read.TotalMilliseconds,8:F1} ms");
        Console.WriteLine($"  scan raw SQL                            {scan.TotalMilliseconds,8:F1} ms");
        Console.WriteLine($"  replay schema history                   {replay.TotalMilliseconds,8:F1} ms");
        Console.WriteLine($"  read Designer target models             {designer.TotalMilliseconds,8:F1} ms");
        GC.KeepAlive(history);
    }
}

/// <summary>The 1-minute load average (the machine is shared: printed next to every figure).</summary>
public static class LoadAverage
{
    public static string Read()
    {
        try
        {
            return System.IO.File.ReadAllText("/proc/loadavg").Split(' ')[0] + $" (nproc {Environment.ProcessorCount})";
        }
        catch (System.IO.IOException)
        {
            return $"unknown (nproc {Environment.ProcessorCount})";
        }
    }
}
