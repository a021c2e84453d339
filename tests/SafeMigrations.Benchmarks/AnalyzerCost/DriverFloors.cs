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
    /// <param name="startAfter">When set, one more side: SafeMigrations with <c>safe_migrations.start_after</c> at that id (a project adopting SafeMigrations after its older migrations were deployed).</param>
    public static int Run(Compilation compilation, int rounds, string? startAfter = null)
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
        if (startAfter != null)
        {
            sides = sides.Append(("SafeMigrations, start_after " + startAfter, null)).ToArray();
        }

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
                    var adopting = startAfter != null && i == sides.Length - 1;
                    var options = adopting ? new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new GlobalOptionsProvider(("safe_migrations.start_after", startAfter!)))
                        : new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);
                    clone.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(options, onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false))
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

    /// <summary>Options as a <c>.globalconfig</c> would give them: the same keys for every file.</summary>
    private sealed class GlobalOptionsProvider(params (string Key, string Value)[] entries) : AnalyzerConfigOptionsProvider
    {
        private readonly KeyValueOptions _options = new(entries.ToDictionary(e => e.Key, e => e.Value, AnalyzerConfigOptions.KeyComparer));

        public override AnalyzerConfigOptions GlobalOptions => _options;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _options;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _options;
    }

    private sealed class KeyValueOptions(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override IEnumerable<string> Keys => values.Keys;

        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
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
