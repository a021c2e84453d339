using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Tests.Verifiers;
using SafeMigrations.CodeFixes.Rules;
using SafeMigrations.CodeFixes.Tests.Verifiers;

namespace SafeMigrations.CodeFixes.Tests.Rules;

/// <summary>
/// The analyzer corpus (real <c>dotnet ef</c> output and hand-written raw SQL migrations): every SM0004, SM0005, SM0006,
/// SM0007 and SM0015 diagnostic is offered a fix; applying them one by one leaves a corpus that compiles, has none of
/// these diagnostics, and no more diagnostics of any other rule than before.
/// </summary>
public class CorpusFx2FixTests
{
    private static readonly CodeFixProvider[] Fixers =
    {
        new AddColumnRewritesTableFixer(),
        new AddRequiredColumnWithoutDefaultFixer(),
        new SetNotNullFixer(),
        new AlterColumnTypeRewritesTableFixer(),
        new UnbatchedDataChangeFixer(),
    };

    [Fact]
    public async Task Every_diagnostic_is_fixed_and_the_corpus_still_compiles()
    {
        var corpus = FindCorpus();
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "Shop", "Shop", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            metadataReferences: TestReferences.All));
        foreach (var file in Directory.EnumerateFiles(corpus, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
        {
            project = project.AddDocument(Path.GetRelativePath(corpus, file), File.ReadAllText(file), filePath: Path.GetRelativePath(corpus, file)).Project;
        }

        var ids = Fixers.SelectMany(f => f.FixableDiagnosticIds).ToHashSet();
        var before = Count(await DiagnosticsAsync(project));
        var fixedCount = 0;
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var diagnostic = (await DiagnosticsAsync(project)).Where(d => ids.Contains(d.Id))
                .OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).FirstOrDefault();
            if (diagnostic is null)
            {
                break;
            }

            var document = project.GetDocument(diagnostic.Location.SourceTree!)!;
            var actions = new List<CodeAction>();
            var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
            await Fixers.First(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)).RegisterCodeFixesAsync(context);
            Assert.True(actions.Count > 0, "No fix offered for " + diagnostic);

            var operations = await actions[0].GetOperationsAsync(CancellationToken.None);
            var solution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
            var changed = solution.GetProject(project.Id)!;
            Assert.True((await changed.GetDocument(document.Id)!.GetTextAsync()).ToString() != (await document.GetTextAsync()).ToString(), "The fix changed nothing for " + diagnostic);
            project = changed;
            fixedCount++;
        }

        var compilation = (await project.GetCompilationAsync())!;
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10)));
        var after = await DiagnosticsAsync(project);
        Assert.DoesNotContain(after, d => ids.Contains(d.Id));
        foreach (var (key, count) in Count(after))
        {
            Assert.True(count <= (before.TryGetValue(key, out var old) ? old : 0), $"{key}: {count} diagnostics after the fixes, {old} before");
        }

        Assert.True(fixedCount >= 10, "expected the corpus to exercise the fixers, fixed " + fixedCount);
    }

    private static async Task<IReadOnlyList<Diagnostic>> DiagnosticsAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        return await compilation.WithAnalyzers(CSharpCodeFixVerifier<SetNotNullFixer>.AllAnalyzers).GetAnalyzerDiagnosticsAsync();
    }

    private static Dictionary<string, int> Count(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.GroupBy(d => d.Location.SourceTree?.FilePath + " " + d.Id).ToDictionary(g => g.Key, g => g.Count());

    private static string FindCorpus()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "SafeMigrations.Analyzers.Tests", "Corpus");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/SafeMigrations.Analyzers.Tests/Corpus not found above " + AppContext.BaseDirectory);
    }
}
