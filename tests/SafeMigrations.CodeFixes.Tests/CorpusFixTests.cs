using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers.Tests.Verifiers;

namespace SafeMigrations.CodeFixes.Tests;

/// <summary>
/// The whole analyzer corpus (real dotnet-ef output plus hand-written raw-SQL migrations) fixed end to end, one
/// light-bulb at a time, the way a user would: every diagnostic must be offered a fix, and afterwards the project
/// compiles and carries no SafeMigrations diagnostic.
/// </summary>
public class CorpusFixTests
{
    private static readonly ImmutableArray<CodeFixProvider> Fixers =
        typeof(SafeMigrations.CodeFixes.Infrastructure.MigrationFixer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToImmutableArray();

    [Fact]
    public void Every_rule_has_a_fixer()
    {
        var fixable = Fixers.SelectMany(f => f.FixableDiagnosticIds).ToHashSet(StringComparer.Ordinal);
        // Migration rules only: SM0019 judges the statistics snapshot file, which no code change fixes.
        var rules = RuleAnalyzers.All.OfType<SafeMigrations.Analyzers.Infrastructure.MigrationRuleAnalyzer>()
            .SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct();
        var missing = rules.Where(id => !fixable.Contains(id)).ToList();
        Assert.True(missing.Count == 0, "Rules without a fixer: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Fixing_every_diagnostic_of_the_corpus_leaves_a_compiling_diagnostic_free_project()
    {
        var project = CreateProject();
        var initial = await AnalyzeAsync(project);
        Assert.NotEmpty(initial);

        var fixedCount = 0;
        for (var round = 0; round < 500; round++)
        {
            var diagnostics = await AnalyzeAsync(project);
            if (diagnostics.Length == 0)
            {
                break;
            }

            var diagnostic = diagnostics[0];
            var document = project.GetDocument(diagnostic.Location.SourceTree)!;
            var fixer = Fixers.FirstOrDefault(f => f.FixableDiagnosticIds.Contains(diagnostic.Id));
            Assert.True(fixer != null, $"No fixer for {diagnostic}");

            var actions = new List<CodeAction>();
            var sameSpan = diagnostics.Where(d => d.Location == diagnostic.Location && d.Id == diagnostic.Id).ToImmutableArray();
            await fixer!.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic.Location.SourceSpan, sameSpan, (a, _) => actions.Add(a), CancellationToken.None));
            Assert.True(actions.Count > 0, $"No fix offered for {diagnostic}");

            var operations = await actions[0].GetOperationsAsync(CancellationToken.None);
            var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
            var next = changed.GetProject(project.Id)!;
            var before = await document.GetTextAsync();
            var after = await next.GetDocument(document.Id)!.GetTextAsync();
            Assert.False(before.ContentEquals(after), $"The fix for {diagnostic} changed nothing");
            project = next;
            fixedCount++;
        }

        var remaining = await AnalyzeAsync(project);
        Assert.True(remaining.Length == 0, "Diagnostics left after fixing:\n" + string.Join("\n", remaining.Select(d => d.ToString())));

        var compilation = (await project.GetCompilationAsync())!;
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The fixed corpus does not compile:\n" + string.Join("\n", errors.Take(20)));
        Assert.True(fixedCount >= initial.Length / 2, $"Only {fixedCount} fixes applied for {initial.Length} diagnostics");
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var diagnostics = await compilation
            .WithAnalyzers(RuleAnalyzers.All)
            .GetAnalyzerDiagnosticsAsync();
        return diagnostics.Where(d => d.Id.StartsWith("SM", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
    }

    private static Project CreateProject()
    {
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
                ProjectId.CreateNewId(),
                VersionStamp.Create(),
                "Shop",
                "Shop",
                LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                metadataReferences: TestReferences.All));

        var corpus = Path.Combine(AppContext.BaseDirectory, "Corpus");
        foreach (var file in Directory.EnumerateFiles(corpus, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
        {
            var document = project.AddDocument(Path.GetFileName(file), SourceText.From(File.ReadAllText(file)), filePath: file);
            project = document.Project;
        }

        return project;
    }
}
