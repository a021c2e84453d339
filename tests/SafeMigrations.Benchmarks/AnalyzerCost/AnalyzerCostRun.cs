using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace SafeMigrations.Benchmarks.AnalyzerCost;

/// <summary>
/// One scripted side-by-side run of what the analyzers add (`--quick [migrations]` on the generated migrations-only
/// project, `--app-cost [migrations] [entities]` on the generated application). Every round measures, in this order:
/// compile (a fresh clone's <c>GetDiagnostics()</c>: declaration, binding and flow analysis of every method, no emit,
/// parse excluded); the same with one empty IOperation analyzer; with one empty named-type symbol action (the floor of
/// a symbol-action design); the same with the SafeMigrations analyzers; and a
/// csc-like build (parse every file + <c>Emit</c> of the DLL and its portable PDB into memory). Rounds alternate the
/// five so that machine noise falls on all of them; the first round only warms up (JIT) and is not counted.
/// Then the IDE case: one migration file edited in an analysed compilation and re-analysed alone.
/// </summary>
public static class AnalyzerCostRun
{
    public static int Run(string title, IReadOnlyList<(string Path, string Source)> files, int rounds, string[] args)
    {
        var beforeAt = Array.IndexOf(args, "--before");
        var before = beforeAt >= 0 && beforeAt + 1 < args.Length ? CorpusCompilation.LoadAnalyzers(BeforeBuild.Load(args[beforeAt + 1])) : default;
        var trees = CorpusCompilation.Parse(files);
        var compilation = CorpusCompilation.Create("Bench", trees);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0)
        {
            // The corpus must compile cleanly, or the numbers measure error recovery instead of real code.
            Console.Error.WriteLine($"generated corpus does not compile ({errors.Length} errors): {errors[0]}");
            return 1;
        }

        var analyzers = CorpusCompilation.LoadAnalyzers();
        var empty = ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyOperationBlockAnalyzer());
        var emptySymbol = ImmutableArray.Create<DiagnosticAnalyzer>(new EmptySymbolActionAnalyzer());
        Console.WriteLine($"{title}: {files.Count} files, {files.Sum(f => f.Source.Count(c => c == '\n') + 1)} lines, {analyzers.Length} SafeMigrations analyzers");
        Console.WriteLine($"load average before: {LoadAverage.Read()}");

        var compileMs = new List<double>();
        var emptyMs = new List<double>();
        var symbolMs = new List<double>();
        var beforeMs = new List<double>();
        var beforeFound = 0;
        var safeMs = new List<double>();
        var buildMs = new List<double>();
        var found = 0;
        for (var round = 0; round <= rounds; round++)
        {
            var counted = round > 0;
            Time(counted ? compileMs : null, () => compilation.Clone().GetDiagnostics());
            Time(counted ? emptyMs : null, () => Analyze(compilation.Clone(), empty));
            Time(counted ? symbolMs : null, () => Analyze(compilation.Clone(), emptySymbol));
            if (!before.IsDefault)
            {
                Time(counted ? beforeMs : null, () => beforeFound = Analyze(compilation.Clone(), before));
            }

            Time(counted ? safeMs : null, () => found = Analyze(compilation.Clone(), analyzers));
            Time(counted ? buildMs : null, () => Build(files));
        }

        double compile = compileMs.Average(), withEmpty = emptyMs.Average(), withSymbol = symbolMs.Average(), safe = safeMs.Average(), build = buildMs.Average();
        Console.WriteLine($"mean of {rounds} interleaved rounds (min in brackets):");
        Console.WriteLine($"  compile (GetDiagnostics):              {compile,8:F0} ms  [{compileMs.Min(),6:F0}]");
        Console.WriteLine($"  compile + empty IOperation analyzer:   {withEmpty,8:F0} ms  [{emptyMs.Min(),6:F0}]");
        Console.WriteLine($"  compile + empty symbol-action analyzer:{withSymbol,8:F0} ms  [{symbolMs.Min(),6:F0}]  (the floor of a symbol-action design)");
        if (!before.IsDefault)
        {
            Console.WriteLine($"  compile + SafeMigrations (--before):   {beforeMs.Average(),8:F0} ms  [{beforeMs.Min(),6:F0}]  ({beforeFound} diagnostics)  adds {(beforeMs.Average() - compile) / compile,6:P0}");
        }

        Console.WriteLine($"  compile + SafeMigrations analyzers:    {safe,8:F0} ms  [{safeMs.Min(),6:F0}]  ({found} diagnostics)");
        Console.WriteLine($"  csc-like build (parse + emit dll+pdb): {build,8:F0} ms  [{buildMs.Min(),6:F0}]");
        Console.WriteLine($"  SafeMigrations / compile:                     {safe / compile,6:F2}  (adds {(safe - compile) / compile,6:P0})");
        Console.WriteLine($"  SafeMigrations / compile + empty analyzer:    {safe / withEmpty,6:F2}  (empty analyzer alone adds {(withEmpty - compile) / compile,6:P0})");
        Console.WriteLine($"  SafeMigrations / compile + empty symbol action: {safe / withSymbol,6:F2}  (empty symbol action alone adds {(withSymbol - compile) / compile,6:P0})");
        Console.WriteLine($"  SafeMigrations' added time / csc-like build:  {(safe - compile) / build,6:P0}");
        Console.WriteLine($"load average after: {LoadAverage.Read()}");

        OneShot(files, analyzers, rounds, before);
        PerDocument(compilation, trees, files, analyzers, empty, rounds, before);
        return 0;
    }

    /// <summary>
    /// The command-line build: every round parses the files anew (not timed), so no syntax tree is shared with an earlier
    /// compilation and nothing is reused across compilations (Reading/HistoryCache); then compile + analyzers, the
    /// --before build and this one interleaved.
    /// </summary>
    private static void OneShot(IReadOnlyList<(string Path, string Source)> files, ImmutableArray<DiagnosticAnalyzer> analyzers, int rounds, ImmutableArray<DiagnosticAnalyzer> before)
    {
        var beforeMs = new List<double>();
        var safeMs = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var counted = round > 0;
            if (!before.IsDefault)
            {
                var fresh = CorpusCompilation.Create("Bench", CorpusCompilation.Parse(files));
                Time(counted ? beforeMs : null, () => Analyze(fresh, before));
            }

            var parsed = CorpusCompilation.Create("Bench", CorpusCompilation.Parse(files));
            Time(counted ? safeMs : null, () => Analyze(parsed, analyzers));
        }

        Console.WriteLine($"one-shot build (files parsed anew each round, nothing reused), mean of {rounds} rounds (min in brackets):");
        if (!before.IsDefault)
        {
            Console.WriteLine($"  compile + SafeMigrations (--before):   {beforeMs.Average(),8:F0} ms  [{beforeMs.Min(),6:F0}]");
        }

        Console.WriteLine($"  compile + SafeMigrations analyzers:    {safeMs.Average(),8:F0} ms  [{safeMs.Min(),6:F0}]");
        Console.WriteLine($"load average: {LoadAverage.Read()}");
    }

    /// <summary>
    /// The IDE case: a compilation the analyzers have already run on, one migration file edited (a comment added), the
    /// new compilation's semantic diagnostics of that file alone, as the IDE asks after each edit. Measured for the last
    /// migration without an AlterColumn and the last one with one (whose rules replay the whole history before it).
    /// </summary>
    private static void PerDocument(CSharpCompilation compilation, SyntaxTree[] trees, IReadOnlyList<(string Path, string Source)> files, ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<DiagnosticAnalyzer> empty, int rounds, ImmutableArray<DiagnosticAnalyzer> before)
    {
        Analyze(compilation, analyzers);
        if (!before.IsDefault)
        {
            Analyze(compilation, before);
        }

        var migrationFiles = Enumerable.Range(0, files.Count)
            .Where(i => files[i].Source.Contains("protected override void Up(", StringComparison.Ordinal))
            .ToArray();
        var lastOther = migrationFiles.Last(i => !files[i].Source.Contains("AlterColumn", StringComparison.Ordinal));
        var lastAlter = migrationFiles.Last(i => files[i].Source.Contains("AlterColumn", StringComparison.Ordinal));
        foreach (var index in new[] { lastOther, lastAlter })
        {
            var tree = trees[index];
            var edited = tree.WithChangedText(tree.GetText().WithChanges(new TextChange(new TextSpan(tree.Length, 0), "\n// edited\n")));
            var plainMs = new List<double>();
            var emptyMs = new List<double>();
            var safeMs = new List<double>();
            var beforeMs = new List<double>();
            for (var round = 0; round <= rounds; round++)
            {
                var counted = round > 0;
                Time(counted ? plainMs : null, () => compilation.ReplaceSyntaxTree(tree, edited).GetSemanticModel(edited).GetDiagnostics());
                Time(counted ? emptyMs : null, () => AnalyzeDocument(compilation.ReplaceSyntaxTree(tree, edited), edited, empty));
                if (!before.IsDefault)
                {
                    Time(counted ? beforeMs : null, () => AnalyzeDocument(compilation.ReplaceSyntaxTree(tree, edited), edited, before));
                }

                Time(counted ? safeMs : null, () => AnalyzeDocument(compilation.ReplaceSyntaxTree(tree, edited), edited, analyzers));
            }

            Console.WriteLine($"per document (IDE), {files[index].Path} edited, mean of {rounds} rounds:");
            Console.WriteLine($"  semantic diagnostics of the file:               {plainMs.Average(),8:F1} ms");
            Console.WriteLine($"  + empty IOperation analyzer on the file:        {emptyMs.Average(),8:F1} ms");
            if (!before.IsDefault)
            {
                Console.WriteLine($"  + SafeMigrations (--before) on the file:        {beforeMs.Average(),8:F1} ms");
            }

            Console.WriteLine($"  + SafeMigrations analyzers on the file:         {safeMs.Average(),8:F1} ms");
            HistoryAfterEdit(compilation.ReplaceSyntaxTree(tree, edited));
        }
    }

    /// <summary>
    /// The schema history of one more edited compilation alone (as the first rule that needs it builds it): its time and
    /// how many migrations came from the previous compilations (Reading/HistoryCache) instead of being bound and read.
    /// </summary>
    private static void HistoryAfterEdit(Compilation edited)
    {
        var stopwatch = Stopwatch.StartNew();
        var history = SafeMigrations.Analyzers.Infrastructure.MigrationCompilationState.Get(edited)!.History;
        Console.WriteLine($"  schema history of a new compilation:            {stopwatch.Elapsed.TotalMilliseconds,8:F1} ms  ({history.Reused} of {history.Migrations.Count()} migrations reused)");
    }

    private static void Time(List<double>? into, Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        into?.Add(stopwatch.Elapsed.TotalMilliseconds);
    }

    private static int Analyze(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers) =>
        compilation.WithAnalyzers(analyzers, Options()).GetAllDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult().Length;

    private static int AnalyzeDocument(Compilation compilation, SyntaxTree tree, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var withAnalyzers = compilation.WithAnalyzers(analyzers, Options());
        var model = withAnalyzers.Compilation.GetSemanticModel(tree);
        return withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, filterSpan: null, CancellationToken.None).GetAwaiter().GetResult().Length
               + model.GetDiagnostics().Length;
    }

    private static CompilationWithAnalyzersOptions Options() =>
        new(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false);

    /// <summary>What csc does for the project: parse every file, bind, lower and emit the DLL and its PDB.</summary>
    private static void Build(IReadOnlyList<(string Path, string Source)> files)
    {
        var compilation = CorpusCompilation.Create("Bench", CorpusCompilation.Parse(files));
        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        var result = compilation.Emit(pe, pdb, options: new Microsoft.CodeAnalysis.Emit.EmitOptions(debugInformationFormat: Microsoft.CodeAnalysis.Emit.DebugInformationFormat.PortablePdb));
        if (!result.Success)
        {
            throw new InvalidOperationException("emit failed: " + result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error));
        }
    }
}

/// <summary>
/// Another build of SafeMigrations.Analyzers.dll (`--before DIR`), loaded next to this one in its own load context so
/// both run in one interleaved run; Roslyn and SafeMigrations.Sql come from the default context.
/// </summary>
internal sealed class BeforeBuild : System.Runtime.Loader.AssemblyLoadContext
{
    private BeforeBuild()
        : base("SafeMigrations before", isCollectible: false)
    {
    }

    public static System.Reflection.Assembly Load(string directory) =>
        new BeforeBuild().LoadFromAssemblyPath(Path.GetFullPath(Path.Combine(directory, "SafeMigrations.Analyzers.dll")));

    protected override System.Reflection.Assembly? Load(System.Reflection.AssemblyName assemblyName) => null;
}
