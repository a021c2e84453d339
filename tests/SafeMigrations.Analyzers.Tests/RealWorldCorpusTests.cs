using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Tests.Verifiers;
using Xunit.Abstractions;

namespace SafeMigrations.Analyzers.Tests;

/// <summary>
/// Precision and recall of all rules together over RealWorldCorpus: migration histories written in the shapes of real
/// open-source applications' Npgsql histories (docs/corpus.md). Each app folder is one project (one compilation, so
/// rules can use the earlier migrations); manifest.json lists every migration file as a case with its expected
/// diagnostics (rule ID + line + why). A diagnostic matches an expected one by ID, file and line.
/// </summary>
public sealed class RealWorldCorpusTests
{
    /// <summary>
    /// The floors, kept here only: what main achieved when they were set, rounded down. Raise them when a merged rule
    /// change lifts the numbers (the report prints the current values).
    /// </summary>
    private static class Floors
    {
        public const double Precision = 0.97;
        public const double Recall = 0.94;
    }

    private static readonly Lazy<Task<CorpusRun>> Run = new(RunCorpusAsync);

    private readonly ITestOutputHelper _output;

    public RealWorldCorpusTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static IEnumerable<object[]> MustCases() =>
        LoadManifest().Where(c => c.Must).Select(c => new object[] { c.File });

    [Fact]
    public async Task Corpus_compiles_and_no_analyzer_throws()
    {
        var run = await Run.Value;
        Assert.True(run.CompilerErrors.Count == 0, "corpus does not compile:\n" + string.Join("\n", run.CompilerErrors.Take(20)));
        Assert.True(run.AnalyzerExceptions.Count == 0, "analyzer exceptions:\n" + string.Join("\n", run.AnalyzerExceptions.Take(10)));
    }

    [Fact]
    public void Manifest_lists_every_migration_file_and_only_existing_ones()
    {
        var listed = LoadManifest().Select(c => c.File).ToList();
        Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());

        var migrationFiles = CorpusSourceFiles()
            .Where(f => !f.EndsWith(".Designer.cs", StringComparison.Ordinal) && File.ReadAllText(f).Contains(": Migration", StringComparison.Ordinal))
            .Select(RelativePath)
            .ToList();
        Assert.Empty(migrationFiles.Except(listed, StringComparer.Ordinal));
        Assert.Empty(listed.Except(migrationFiles, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Precision_and_recall_stay_at_or_above_the_floors()
    {
        var run = await Run.Value;
        var report = run.Score.Render();
        _output.WriteLine(report);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "realworld-corpus-report.md"), report);

        Assert.True(run.CompilerErrors.Count == 0 && run.AnalyzerExceptions.Count == 0, "the corpus run failed; see Corpus_compiles_and_no_analyzer_throws");
        Assert.True(
            run.Score.Overall.Precision >= Floors.Precision && run.Score.Overall.Recall >= Floors.Recall,
            $"overall precision {run.Score.Overall.Precision:P1} / recall {run.Score.Overall.Recall:P1} fell below the floors "
            + $"{Floors.Precision:P0} / {Floors.Recall:P0}:\n{report}");
    }

    /// <summary>A "must" case: a long-established rule's clear hazard or a clear safe look-alike; it matches exactly.</summary>
    [Theory]
    [MemberData(nameof(MustCases))]
    public async Task Must_case_gets_exactly_the_expected_diagnostics(string file)
    {
        var run = await Run.Value;
        var mismatches = run.Score.Mismatches.Where(m => m.File == file).ToList();
        Assert.True(mismatches.Count == 0, file + ":\n" + string.Join("\n", mismatches.Select(m => m.Describe())));
    }

    private static string CorpusDirectory => Path.Combine(AppContext.BaseDirectory, "RealWorldCorpus");

    private static IEnumerable<string> CorpusSourceFiles() =>
        Directory.EnumerateFiles(CorpusDirectory, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal);

    private static string RelativePath(string path) => Path.GetRelativePath(CorpusDirectory, path).Replace('\\', '/');

    private static List<CorpusCase> LoadManifest()
    {
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        var manifest = JsonSerializer.Deserialize<CorpusManifest>(File.ReadAllText(Path.Combine(CorpusDirectory, "manifest.json")), options);
        return manifest?.Cases ?? new List<CorpusCase>();
    }

    private static async Task<CorpusRun> RunCorpusAsync()
    {
        var errors = new List<string>();
        var exceptions = new ConcurrentQueue<string>();
        var actual = new List<ActualDiagnostic>();

        // One compilation per app folder: one project's whole history, as a user's build sees it.
        foreach (var app in Directory.EnumerateDirectories(CorpusDirectory).OrderBy(d => d, StringComparer.Ordinal))
        {
            var trees = Directory.EnumerateFiles(app, "*.cs", SearchOption.AllDirectories)
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Latest), path: RelativePath(f)))
                .ToArray();
            var compilation = CSharpCompilation.Create(
                Path.GetFileName(app),
                trees,
                TestReferences.All,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            errors.AddRange(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));

            var analyzerOptions = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (exception, analyzer, _) => exceptions.Enqueue(analyzer.GetType().Name + ": " + exception),
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: false);
            var diagnostics = await compilation.WithAnalyzers(RuleAnalyzers.All, analyzerOptions).GetAnalyzerDiagnosticsAsync();
            foreach (var diagnostic in diagnostics)
            {
                if (diagnostic.Id == "AD0001")
                {
                    exceptions.Enqueue(diagnostic.ToString());
                    continue;
                }

                if (!diagnostic.Id.StartsWith("SM", StringComparison.Ordinal))
                {
                    continue;
                }

                var span = diagnostic.Location.GetLineSpan();
                actual.Add(new ActualDiagnostic(diagnostic.Id, span.Path, span.StartLinePosition.Line + 1, diagnostic.GetMessage(CultureInfo.InvariantCulture)));
            }
        }

        return new CorpusRun(errors, exceptions.ToList(), CorpusScore.Compute(LoadManifest(), actual));
    }

    private sealed record CorpusRun(List<string> CompilerErrors, List<string> AnalyzerExceptions, CorpusScore Score);

    private sealed class CorpusManifest
    {
        public List<CorpusCase> Cases { get; set; } = new();
    }

    private sealed class CorpusCase
    {
        public string File { get; set; } = string.Empty;

        public bool Must { get; set; }

        public string Why { get; set; } = string.Empty;

        public List<ExpectedDiagnostic> Expected { get; set; } = new();
    }

    private sealed class ExpectedDiagnostic
    {
        public string Id { get; set; } = string.Empty;

        public int Line { get; set; }

        public string Why { get; set; } = string.Empty;
    }

    private sealed record ActualDiagnostic(string Id, string File, int Line, string Message);

    /// <summary>An expected diagnostic no analyzer reported (missed) or a reported one no case expects (unexpected).</summary>
    private sealed record Mismatch(bool Missed, string Id, string File, int Line, string Text, bool Must)
    {
        public string Describe() => Missed
            ? $"  missed     {Id} {File}:{Line}{(Must ? " [must]" : string.Empty)} — expected because: {Text}"
            : $"  unexpected {Id} {File}:{Line}{(Must ? " [must]" : string.Empty)} — {Text}\n"
              + $"             (if right, add to the case's \"expected\": {{ \"id\": \"{Id}\", \"line\": {Line}, \"why\": \"...\" }})";
    }

    private sealed record RuleScore(string Id, int Expected, int Reported, int Matched)
    {
        public double Precision => Reported == 0 ? 1.0 : (double)Matched / Reported;

        public double Recall => Expected == 0 ? 1.0 : (double)Matched / Expected;
    }

    private sealed class CorpusScore
    {
        private CorpusScore(List<RuleScore> rules, RuleScore overall, List<Mismatch> mismatches, int cases, int exactCases, int mustCases, int exactMustCases)
        {
            Rules = rules;
            Overall = overall;
            Mismatches = mismatches;
            Cases = cases;
            ExactCases = exactCases;
            MustCases = mustCases;
            ExactMustCases = exactMustCases;
        }

        public List<RuleScore> Rules { get; }

        public RuleScore Overall { get; }

        public List<Mismatch> Mismatches { get; }

        public int Cases { get; }

        public int ExactCases { get; }

        public int MustCases { get; }

        public int ExactMustCases { get; }

        /// <summary>Matches expected and reported diagnostics as multisets keyed by (ID, file, line).</summary>
        public static CorpusScore Compute(List<CorpusCase> cases, List<ActualDiagnostic> actual)
        {
            var mustFiles = new HashSet<string>(cases.Where(c => c.Must).Select(c => c.File), StringComparer.Ordinal);
            var unmatched = actual.GroupBy(a => (a.Id, a.File, a.Line)).ToDictionary(g => g.Key, g => new Queue<ActualDiagnostic>(g));
            var matched = new List<(string Id, string File)>();
            var mismatches = new List<Mismatch>();

            foreach (var @case in cases)
            {
                foreach (var expected in @case.Expected)
                {
                    if (unmatched.TryGetValue((expected.Id, @case.File, expected.Line), out var queue) && queue.Count > 0)
                    {
                        queue.Dequeue();
                        matched.Add((expected.Id, @case.File));
                    }
                    else
                    {
                        mismatches.Add(new Mismatch(true, expected.Id, @case.File, expected.Line, expected.Why, @case.Must));
                    }
                }
            }

            mismatches.AddRange(unmatched.Values.SelectMany(q => q)
                .Select(a => new Mismatch(false, a.Id, a.File, a.Line, a.Message, mustFiles.Contains(a.File))));
            mismatches.Sort((a, b) => string.CompareOrdinal(a.File, b.File) != 0 ? string.CompareOrdinal(a.File, b.File) : a.Line.CompareTo(b.Line));

            var ids = cases.SelectMany(c => c.Expected.Select(e => e.Id)).Concat(actual.Select(a => a.Id)).Distinct().OrderBy(i => i, StringComparer.Ordinal);
            var rules = ids.Select(id => new RuleScore(
                    id,
                    cases.Sum(c => c.Expected.Count(e => e.Id == id)),
                    actual.Count(a => a.Id == id),
                    matched.Count(m => m.Id == id)))
                .ToList();
            var overall = new RuleScore("all", rules.Sum(r => r.Expected), rules.Sum(r => r.Reported), rules.Sum(r => r.Matched));

            var filesWithMismatch = new HashSet<string>(mismatches.Select(m => m.File), StringComparer.Ordinal);
            return new CorpusScore(
                rules,
                overall,
                mismatches,
                cases.Count,
                cases.Count(c => !filesWithMismatch.Contains(c.File)),
                mustFiles.Count,
                mustFiles.Count(f => !filesWithMismatch.Contains(f)));
        }

        public string Render()
        {
            var text = new StringBuilder();
            text.AppendLine("# Real-world corpus: precision and recall (all rules, match = ID + file + line)");
            text.AppendLine();
            text.AppendLine(Invariant($"{Cases} cases, {ExactCases} matched exactly; {MustCases} must cases, {ExactMustCases} matched exactly."));
            text.AppendLine();
            text.AppendLine("| rule | expected | reported | matched | precision | recall |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var rule in Rules.Append(Overall))
            {
                text.AppendLine(Invariant($"| {rule.Id} | {rule.Expected} | {rule.Reported} | {rule.Matched} | {rule.Precision:0.000} | {rule.Recall:0.000} |"));
            }

            text.AppendLine();
            text.AppendLine(Invariant($"## Mismatches ({Mismatches.Count(m => m.Missed)} missed, {Mismatches.Count(m => !m.Missed)} unexpected)"));
            text.AppendLine();
            text.AppendLine("```text");
            foreach (var mismatch in Mismatches)
            {
                text.AppendLine(mismatch.Describe());
            }

            text.AppendLine("```");
            return text.ToString();
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
