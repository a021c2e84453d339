using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Tests.Verifiers;

namespace SafeMigrations.Analyzers.Tests;

/// <summary>
/// Recall and precision over a corpus of realistic migrations: Corpus/Generated is real `dotnet ef migrations add`
/// output (Npgsql, EF Core 10) for a shop model evolving step by step, Designer files included; Corpus/HandWritten is
/// raw-SQL-heavy hand-written migrations. Each migration file starts with `// expect: SM0001 SM0008` (or `none`):
/// the exact multiset of SafeMigrations diagnostics all analyzers together must report in that file.
/// </summary>
public sealed class CorpusTests
{
    private static readonly Lazy<Task<CorpusResult>> Result = new(AnalyzeCorpusAsync);

    public static IEnumerable<object[]> MigrationFiles() =>
        CorpusFiles().Where(f => ExpectedIds(File.ReadAllText(f)) is not null)
            .Select(f => new object[] { Path.GetRelativePath(CorpusDirectory, f) });

    [Fact]
    public async Task Corpus_compiles_without_errors()
    {
        var result = await Result.Value;
        Assert.True(result.CompilerErrors.Count == 0, string.Join("\n", result.CompilerErrors.Take(20)));
    }

    [Theory]
    [MemberData(nameof(MigrationFiles))]
    public async Task Migration_gets_exactly_the_expected_diagnostics(string file)
    {
        var result = await Result.Value;
        var expected = ExpectedIds(File.ReadAllText(Path.Combine(CorpusDirectory, file)))!;
        result.ByFile.TryGetValue(file, out var actual);
        actual ??= new List<Diagnostic>();

        var actualIds = actual.Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal).ToArray();
        Assert.True(
            expected.SequenceEqual(actualIds),
            $"{file}: expected [{string.Join(", ", expected)}] but got [{string.Join(", ", actualIds)}]:\n"
            + string.Join("\n", actual.Select(d => "  " + d)));
    }

    [Fact]
    public async Task Designer_and_snapshot_files_get_no_diagnostics()
    {
        var result = await Result.Value;
        var generated = result.ByFile.Where(p => p.Key.EndsWith(".Designer.cs", StringComparison.Ordinal)).SelectMany(p => p.Value);
        Assert.Empty(generated);
    }

    private static string CorpusDirectory => Path.Combine(AppContext.BaseDirectory, "Corpus");

    private static IEnumerable<string> CorpusFiles() =>
        Directory.EnumerateFiles(CorpusDirectory, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal);

    /// <summary>The sorted IDs a file's `// expect:` header lists, or null when the file has no header.</summary>
    private static string[]? ExpectedIds(string source)
    {
        var match = Regex.Match(source, @"\A// expect: (?<ids>[^\r\n]*)");
        if (!match.Success)
        {
            return null;
        }

        var ids = match.Groups["ids"].Value.Trim();
        return ids == "none"
            ? Array.Empty<string>()
            : ids.Split(' ', StringSplitOptions.RemoveEmptyEntries).OrderBy(i => i, StringComparer.Ordinal).ToArray();
    }

    private static async Task<CorpusResult> AnalyzeCorpusAsync()
    {
        var trees = CorpusFiles()
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Latest), path: Path.GetRelativePath(CorpusDirectory, f)))
            .ToArray();
        var compilation = CSharpCompilation.Create(
            "Shop",
            trees,
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();

        var diagnostics = await compilation.WithAnalyzers(RuleAnalyzers.All).GetAnalyzerDiagnosticsAsync();

        var byFile = diagnostics
            .Where(d => d.Id.StartsWith("SM", StringComparison.Ordinal))
            .GroupBy(d => d.Location.SourceTree?.FilePath ?? string.Empty)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        return new CorpusResult(errors, byFile);
    }

    private sealed record CorpusResult(List<string> CompilerErrors, Dictionary<string, List<Diagnostic>> ByFile);
}
