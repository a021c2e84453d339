using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SafeMigrations.Benchmarks.AnalyzerCost;

/// <summary>
/// `--floors [migrations|app] [--rounds N]`: what the Roslyn driver alone charges for each way an analyzer can
/// register, with analyzers that do nothing — the floor under any design that enters through that kind of action.
/// The SafeMigrations analyzers last, for scale. One interleaved run; the first round warms up.
/// </summary>
public static class DriverFloors
{
    public static int Run(Compilation compilation, int rounds)
    {
        var safeMigrations = CorpusCompilation.LoadAnalyzers();
        var sides = new (string Name, Func<Action<AnalysisContext>>? Register)[]
        {
            ("compile (GetDiagnostics)", null),
            ("compilation-start, registers nothing", () => c => c.RegisterCompilationStartAction(_ => { })),
            ("syntax-tree action", () => c => c.RegisterSyntaxTreeAction(_ => { })),
            ("compilation action (end)", () => c => c.RegisterCompilationAction(_ => { })),
            ("semantic-model action", () => c => c.RegisterSemanticModelAction(_ => { })),
            ("symbol action, NamedType", () => c => c.RegisterSymbolAction(_ => { }, SymbolKind.NamedType)),
            ("syntax-node action, class declarations", () => c => c.RegisterSyntaxNodeAction(_ => { }, SyntaxKind.ClassDeclaration)),
            ("operation-block action", () => c => c.RegisterOperationBlockAction(_ => { })),
            ("SafeMigrations (all rules)", null),
        };
        var times = sides.Select(_ => new List<double>()).ToArray();
        Console.WriteLine($"load average before: {LoadAverage.Read()}");
        for (var round = 0; round <= rounds; round++)
        {
            for (var i = 0; i < sides.Length; i++)
            {
                var clone = compilation.Clone();
                var register = sides[i].Register;
                var stopwatch = Stopwatch.StartNew();
                if (i == 0)
                {
                    clone.GetDiagnostics();
                }
                else
                {
                    var analyzers = register is null ? safeMigrations : ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyAnalyzer(register()));
                    clone.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false))
                        .GetAllDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
                }

                if (round > 0)
                {
                    times[i].Add(stopwatch.Elapsed.TotalMilliseconds);
                }
            }
        }

        var compile = times[0].Average();
        Console.WriteLine($"mean of {rounds} interleaved rounds (min in brackets), one empty analyzer each:");
        for (var i = 0; i < sides.Length; i++)
        {
            Console.WriteLine($"  {sides[i].Name,-42} {times[i].Average(),8:F0} ms  [{times[i].Min(),6:F0}]  adds {(times[i].Average() - compile) / compile,6:P0}");
        }

        Console.WriteLine($"load average after: {LoadAverage.Read()}");
        return 0;
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class EmptyAnalyzer(Action<AnalysisContext> register) : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Unused = new("BENCH0003", "unused", "unused", "Benchmark", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Unused);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            register(context);
        }
    }
}
