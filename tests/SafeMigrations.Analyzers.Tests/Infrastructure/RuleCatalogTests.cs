using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>Every rule analyzer: one descriptor set, a known ID, help link, docs page and release row.</summary>
public class RuleCatalogTests
{
    private static readonly DiagnosticAnalyzer[] Analyzers = typeof(MigrationRuleAnalyzer).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() != null)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToArray();

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
        Assert.Equal(16, ids.Count);
        var unshipped = File.ReadAllText(RepoFile("src", "SafeMigrations.Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (var analyzer in Analyzers)
        {
            Assert.IsAssignableFrom<MigrationRuleAnalyzer>(analyzer);
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
}
