using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SafeMigrations.Benchmarks;

/// <summary>
/// What the SafeMigrations analyzers add to a build: compile the generated project alone (baseline) and with every
/// SafeMigrations analyzer attached. Each invocation clones the compilation so no bound state is reused.
/// </summary>
[MemoryDiagnoser]
public class AnalyzerCostBenchmark
{
    private CSharpCompilation _compilation = null!;
    private ImmutableArray<DiagnosticAnalyzer> _analyzers;

    [Params(2000)]
    public int Migrations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _compilation = CorpusCompilation.Create(Migrations);
        _analyzers = CorpusCompilation.LoadAnalyzers();
    }

    [Benchmark(Baseline = true, Description = "compile")]
    public int Compile() => _compilation.Clone().GetDiagnostics().Length;

    /// <summary>What any IOperation-based analyzer pays: the driver binds every method body into operations.</summary>
    [Benchmark(Description = "compile + one empty IOperation analyzer")]
    public Task<int> CompileAndEmptyOperationAnalyzer() => Analyze(ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyOperationBlockAnalyzer()));

    [Benchmark(Description = "compile + SafeMigrations analyzers")]
    public Task<int> CompileAndAnalyze() => Analyze(_analyzers);

    private async Task<int> Analyze(ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var compilation = _compilation.Clone();
        var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
            concurrentAnalysis: true, logAnalyzerExecutionTime: false));
        var diagnostics = await withAnalyzers.GetAllDiagnosticsAsync(CancellationToken.None).ConfigureAwait(false);
        return diagnostics.Length;
    }
}

/// <summary>Registers an operation-block action that does nothing: the baseline cost of the analyzer driver.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EmptyOperationBlockAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Unused = new("BENCH0001", "unused", "unused", "Benchmark", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Unused);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationBlockAction(_ => { });
    }
}

/// <summary>
/// Registers one named-type symbol action that does nothing: the floor of any design whose rules run from symbol
/// actions (as SafeMigrations' do) — the driver's cost without any operation tree.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EmptySymbolActionAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Unused = new("BENCH0002", "unused", "unused", "Benchmark", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Unused);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterSymbolAction(_ => { }, SymbolKind.NamedType);
    }
}

public static class CorpusCompilation
{
    public static CSharpCompilation Create(int migrations) => Create("Shop", MigrationCorpus.Generate(migrations));

    public static CSharpCompilation Create(string assemblyName, IReadOnlyList<(string Path, string Source)> files) =>
        Create(assemblyName, Parse(files));

    public static SyntaxTree[] Parse(IReadOnlyList<(string Path, string Source)> files)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        return files.Select(f => CSharpSyntaxTree.ParseText(Microsoft.CodeAnalysis.Text.SourceText.From(f.Source, System.Text.Encoding.UTF8), parseOptions, path: f.Path)).ToArray();
    }

    public static CSharpCompilation Create(string assemblyName, IEnumerable<SyntaxTree> trees)
    {
        return CSharpCompilation.Create(
            assemblyName,
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    /// <summary>The running framework plus the real EF Core and Npgsql assemblies this project references.</summary>
    private static MetadataReference[] References()
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var ef = new[]
        {
            typeof(Microsoft.EntityFrameworkCore.DbContext).Assembly,
            typeof(Microsoft.EntityFrameworkCore.Migrations.Migration).Assembly,
            typeof(Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy).Assembly,
        }.Select(a => a.Location);

        return tpa.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                              || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Concat(ef)
            .Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    }

    /// <summary>Every analyzer the SafeMigrations analyzer assembly declares, found by reflection.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> LoadAnalyzers(Assembly? from = null)
    {
        var assembly = from ?? Assembly.Load("SafeMigrations.Analyzers");
        return assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t != typeof(EmptyOperationBlockAnalyzer)
                        && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
    }
}
