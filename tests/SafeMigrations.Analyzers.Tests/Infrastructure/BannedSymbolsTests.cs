using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>
/// The BannedSymbols.txt lists of the source projects (docs/contributing/code-style.md). BannedApiAnalyzers silently
/// ignores an entry that names no symbol, so a typo bans nothing: every entry must resolve, the way the analyzer
/// resolves it, against the assemblies its project compiles with, and say what to use instead.
/// </summary>
public class BannedSymbolsTests
{
    private const string RoslynList = "src/SafeMigrations.Analyzers/BannedSymbols.txt";
    private const string EngineList = "src/SafeMigrations.Engine/BannedSymbols.txt";

    [Theory]
    [InlineData(RoslynList)]
    [InlineData(EngineList)]
    public void Every_entry_names_a_real_symbol_and_what_to_use_instead(string list)
    {
        var compilation = CompilationFor(list);
        var entries = Entries(list);
        Assert.NotEmpty(entries);
        foreach (var (line, id, instead) in entries)
        {
            Assert.True(
                DocumentationCommentId.GetSymbolsForDeclarationId(id, compilation).Length > 0,
                $"{list} line {line}: '{id}' names no symbol, so it bans nothing");
            Assert.False(string.IsNullOrWhiteSpace(instead), $"{list} line {line}: '{id}' does not say what to use instead");
        }
    }

    [Fact]
    public void A_misspelled_entry_resolves_to_nothing()
    {
        // What the test above relies on: resolution is not vacuously true.
        var compilation = CompilationFor(EngineList);
        Assert.NotEmpty(DocumentationCommentId.GetSymbolsForDeclarationId("M:System.Console.WriteLine(System.String)", compilation));
        Assert.Empty(DocumentationCommentId.GetSymbolsForDeclarationId("M:System.Console.WriteLin(System.String)", compilation));
        Assert.Empty(DocumentationCommentId.GetSymbolsForDeclarationId("M:System.Console.WriteLine(string)", compilation));
    }

    [Theory]
    [InlineData("src/SafeMigrations.Analyzers/SafeMigrations.Analyzers.csproj", RoslynList)]
    [InlineData("src/SafeMigrations.CodeFixes/SafeMigrations.CodeFixes.csproj", RoslynList)]
    [InlineData("src/SafeMigrations.Engine/SafeMigrations.Engine.csproj", EngineList)]
    public void The_project_builds_with_its_list(string project, string list)
    {
        // Directory.Build.targets adds the analyzer and the file for a project that sets BannedSymbolsFile.
        var path = RuleCatalogTests.RepoFile(project.Split('/'));
        var match = Regex.Match(File.ReadAllText(path), "<BannedSymbolsFile>([^<]+)</BannedSymbolsFile>");
        Assert.True(match.Success, project + " sets no BannedSymbolsFile");
        var named = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, match.Groups[1].Value.Replace('\\', Path.DirectorySeparatorChar)));
        Assert.Equal(RuleCatalogTests.RepoFile(list.Split('/')), named);
        var targets = File.ReadAllText(RuleCatalogTests.RepoFile("Directory.Build.targets"));
        Assert.Contains("<AdditionalFiles Include=\"$(BannedSymbolsFile)\" />", targets);
        Assert.Contains("<WarningsAsErrors>$(WarningsAsErrors);RS0030</WarningsAsErrors>", targets);
    }

    /// <summary>Entries as BannedApiAnalyzers reads them: <c>ID[;message]</c>, <c>//</c> comments, blank lines skipped.</summary>
    private static List<(int Line, string Id, string Instead)> Entries(string list)
    {
        var entries = new List<(int, string, string)>();
        var lines = File.ReadAllLines(RuleCatalogTests.RepoFile(list.Split('/')));
        for (var i = 0; i < lines.Length; i++)
        {
            var comment = lines[i].IndexOf("//", StringComparison.Ordinal);
            var text = (comment < 0 ? lines[i] : lines[i].Substring(0, comment)).Trim();
            if (text.Length == 0)
            {
                continue;
            }

            var separator = text.IndexOf(';');
            entries.Add(separator < 0 ? (i + 1, text, string.Empty) : (i + 1, text.Substring(0, separator).Trim(), text.Substring(separator + 1).Trim()));
        }

        return entries;
    }

    /// <summary>The runtime plus what the list's projects compile against: Roslyn for the analyzers, Npgsql for the engine.</summary>
    private static Compilation CompilationFor(string list)
    {
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = Directory.GetFiles(runtime, "System.*.dll").Append(typeof(object).Assembly.Location).ToList();
        references.Add(list == EngineList ? typeof(Npgsql.NpgsqlConnection).Assembly.Location : typeof(Compilation).Assembly.Location);
        return CSharpCompilation.Create(
            "BannedSymbols",
            references: references.Distinct().Select(path => MetadataReference.CreateFromFile(path)));
    }
}
