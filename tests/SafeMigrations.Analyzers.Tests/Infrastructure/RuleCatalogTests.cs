using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;

using SafeMigrations.Analyzers.Tests.Verifiers;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>Every rule analyzer: one descriptor set, a known ID, help link, docs page and release row; README and docs in step with the analyzers.</summary>
public class RuleCatalogTests
{
    private static readonly DiagnosticAnalyzer[] Analyzers = RuleAnalyzers.All.ToArray();

    private static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "SafeMigrations.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(new[] { dir!.FullName }.Concat(parts).ToArray());
    }

    [Fact]
    public void Every_analyzer_is_a_migration_rule_with_a_documented_tracked_id()
    {
        Assert.NotEmpty(Analyzers);
        var ids = typeof(RuleIdentifiers).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        Assert.Equal(19, ids.Count);
        var unshipped = File.ReadAllText(RepoFile("src", "SafeMigrations.Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (var analyzer in Analyzers)
        {
            // SM0019 judges the statistics snapshot file once per compilation, not a migration.
            Assert.True(analyzer is MigrationRuleAnalyzer || analyzer is SafeMigrations.Analyzers.Rules.StatisticsSnapshotAnalyzer, analyzer.GetType().Name + " is not a migration rule");
            foreach (var descriptor in analyzer.SupportedDiagnostics)
            {
                Assert.Contains(descriptor.Id, ids);
                Assert.Equal(RuleDescriptors.HelpLinkBase + descriptor.Id + ".md", descriptor.HelpLinkUri);
                Assert.True(descriptor.IsEnabledByDefault);
                Assert.StartsWith("SafeMigrations.", descriptor.Category);
                Assert.True(File.Exists(RepoFile("docs", "rules", descriptor.Id + ".md")), descriptor.Id + " has no docs page");
                Assert.Contains(descriptor.Id + " | " + descriptor.Category + " | " + descriptor.DefaultSeverity, unshipped);
            }
        }
    }

    private static readonly Regex ReadmeRuleRow = new Regex(@"^\|\s*\[(?<id>SM\d{4})\]\((?<link>[^)]*)\)\s*\|(?<title>[^|]+)\|(?<locks>[^|]+)\|(?<category>[^|]+)\|(?<severity>[^|]+)\|\s*$");

    private static Dictionary<string, (string Link, string Title, string Category, string Severity)> ReadmeRules()
    {
        var rows = new Dictionary<string, (string, string, string, string)>();
        foreach (var line in File.ReadAllLines(RepoFile("README.md")))
        {
            var match = ReadmeRuleRow.Match(line);
            if (match.Success)
            {
                var id = match.Groups["id"].Value;
                Assert.False(rows.ContainsKey(id), "README lists " + id + " twice");
                rows.Add(id, (match.Groups["link"].Value, match.Groups["title"].Value.Trim(), match.Groups["category"].Value.Trim(), match.Groups["severity"].Value.Trim()));
            }
        }

        return rows;
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors() => Analyzers.SelectMany(a => a.SupportedDiagnostics);

    [Fact]
    public void Readme_rule_table_lists_every_rule_with_its_descriptors_title_category_and_severity()
    {
        var readme = ReadmeRules();
        var ids = typeof(RuleIdentifiers).GetFields().Select(f => (string)f.GetRawConstantValue()!).OrderBy(i => i).ToArray();
        Assert.Equal(ids, readme.Keys.OrderBy(i => i).ToArray());
        foreach (var (id, row) in readme)
        {
            Assert.Equal("docs/rules/" + id + ".md", row.Link);
        }

        foreach (var descriptor in Descriptors())
        {
            var row = readme[descriptor.Id];
            Assert.Equal(descriptor.Title.ToString(), row.Title);
            Assert.Equal("SafeMigrations." + row.Category, descriptor.Category);
            Assert.Equal(descriptor.DefaultSeverity.ToString(), row.Severity);
        }
    }

    /// <summary>
    /// README lists exactly the rules this assembly implements, and each links to an existing page. NOTE: on a branch
    /// that holds only some of the rules (rules-r1/r2/r3 before they are merged) this fails by design, naming the
    /// README rows that have no analyzer yet; it must pass once every SM0001-SM0018 analyzer is merged.
    /// </summary>
    [Fact]
    public void Readme_rule_table_lists_exactly_the_analyzers_in_the_assembly()
    {
        var readme = ReadmeRules();
        var analyzerIds = Descriptors().Select(d => d.Id).ToHashSet();
        var withoutAnalyzer = readme.Keys.Where(id => !analyzerIds.Contains(id)).OrderBy(id => id).ToArray();
        var unlisted = analyzerIds.Where(id => !readme.ContainsKey(id)).OrderBy(id => id).ToArray();
        Assert.True(withoutAnalyzer.Length == 0, "README lists rules with no analyzer in the assembly (expected only before every rule branch is merged): " + string.Join(", ", withoutAnalyzer));
        Assert.True(unlisted.Length == 0, "analyzers missing from README's rule table: " + string.Join(", ", unlisted));
        foreach (var (id, row) in readme)
        {
            Assert.True(File.Exists(RepoFile(row.Link.Split('/'))), "README links " + id + " to a missing page " + row.Link);
        }
    }

    [Fact]
    public void Every_docs_rule_page_belongs_to_an_analyzer()
    {
        var analyzerIds = Descriptors().Select(d => d.Id).ToHashSet();
        var pages = Directory.GetFiles(RepoFile("docs", "rules"), "SM*.md").Select(Path.GetFileNameWithoutExtension).ToArray();
        Assert.NotEmpty(pages);
        foreach (var page in pages)
        {
            Assert.True(analyzerIds.Contains(page!), "docs/rules/" + page + ".md has no analyzer");
        }
    }

    [Fact]
    public void Every_docs_rule_page_is_titled_like_its_descriptor()
    {
        foreach (var descriptor in Descriptors())
        {
            var firstLine = File.ReadLines(RepoFile("docs", "rules", descriptor.Id + ".md")).First();
            Assert.Equal("# " + descriptor.Id + ": " + descriptor.Title, firstLine);
        }
    }
}
