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

    internal static string RepoFile(params string[] parts)
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
        var ids = RuleIds().ToHashSet();
        var unshipped = File.ReadAllText(RepoFile("src", "SafeMigrations.Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (var analyzer in Analyzers)
        {
            // SM0019 judges the statistics snapshot file and SM0020 the options, once per compilation, not a migration.
            Assert.True(analyzer is MigrationRuleAnalyzer || analyzer is CompilationRuleAnalyzer, analyzer.GetType().Name + " is not a migration rule");
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

    /// <summary>Every <see cref="RuleIdentifiers"/> constant, in declaration order.</summary>
    private static string[] RuleIds() => typeof(RuleIdentifiers).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToArray();

    [Fact]
    public void Every_rule_id_is_unique_and_has_one_analyzer_a_docs_page_and_a_release_row()
    {
        var ids = RuleIds();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(ids.OrderBy(i => i, StringComparer.Ordinal), Descriptors().Select(d => d.Id).Distinct().OrderBy(i => i, StringComparer.Ordinal));
        // One analyzer per ID (an analyzer may have several descriptors, message shapes, of its one ID).
        foreach (var group in Analyzers.SelectMany(a => a.SupportedDiagnostics.Select(d => (d.Id, Analyzer: a.GetType()))).Distinct().GroupBy(p => p.Id))
        {
            Assert.True(group.Count() == 1, group.Key + " is reported by " + string.Join(", ", group.Select(p => p.Analyzer.Name)));
        }

        var unshipped = File.ReadAllText(RepoFile("src", "SafeMigrations.Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (var id in ids)
        {
            Assert.True(File.Exists(RepoFile("docs", "rules", id + ".md")), id + " has no docs page");
            Assert.Matches(new Regex("^" + id + @" \| ", RegexOptions.Multiline), unshipped);
        }
    }

    /// <summary>The sections docs/contributing/adding-a-rule.md requires of every rule page.</summary>
    private static readonly string[] RequiredPageSections = { "What is flagged", "Lock and impact", "Safe sequence", "Configuration", "Suppression" };

    private static readonly Regex FixableIds = new Regex(@"FixableDiagnosticIds\s*=>\s*ImmutableArray\.Create\((?<ids>[^)]*)\)");

    /// <summary>The rule IDs a code fixer in src/SafeMigrations.CodeFixes/Rules lists (read from source: this project does not reference the fixers).</summary>
    private static HashSet<string> IdsWithCodeFix()
    {
        var byName = typeof(RuleIdentifiers).GetFields().ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);
        var ids = new HashSet<string>();
        foreach (var file in Directory.GetFiles(RepoFile("src", "SafeMigrations.CodeFixes", "Rules"), "*.cs"))
        {
            foreach (Match match in FixableIds.Matches(File.ReadAllText(file)))
            {
                foreach (var name in match.Groups["ids"].Value.Split(',').Select(n => n.Trim()))
                {
                    Assert.True(name.StartsWith("RuleIdentifiers.", StringComparison.Ordinal) && byName.ContainsKey(name["RuleIdentifiers.".Length..]), Path.GetFileName(file) + ": fixable ID '" + name + "' is not a RuleIdentifiers constant");
                    ids.Add(byName[name["RuleIdentifiers.".Length..]]);
                }
            }
        }

        Assert.NotEmpty(ids);
        return ids;
    }

    [Fact]
    public void Every_rule_page_has_the_required_sections_and_Code_fix_exactly_when_a_fixer_exists()
    {
        var withFix = IdsWithCodeFix();
        foreach (var id in RuleIds())
        {
            var headings = File.ReadLines(RepoFile("docs", "rules", id + ".md"))
                .Where(l => l.StartsWith("## ", StringComparison.Ordinal))
                .Select(l => l[3..].Trim())
                .ToHashSet();
            var missing = RequiredPageSections.Where(s => !headings.Contains(s)).ToArray();
            Assert.True(missing.Length == 0, "docs/rules/" + id + ".md lacks ## " + string.Join(", ## ", missing));
            Assert.True(headings.Contains("Code fix") == withFix.Contains(id), "docs/rules/" + id + ".md: a \"## Code fix\" section belongs exactly to rules with a fixer (" + (withFix.Contains(id) ? "has one" : "has none") + ")");
        }
    }

    /// <summary>Rules the Strict preset leaves at their default severity, and why.</summary>
    private static readonly Dictionary<string, string> NotInStrictPreset = new()
    {
        [RuleIdentifiers.StatisticsSnapshot] = "judges the statistics snapshot file, not a migration step",
        [RuleIdentifiers.InvalidOption] = "judges the analyzers' options, not a migration step",
    };

    [Fact]
    public void Strict_preset_makes_every_step_rule_an_error_and_names_only_real_rules()
    {
        var lines = File.ReadAllLines(RepoFile("src", "SafeMigrations.Build", "build", "SafeMigrations.Strict.globalconfig"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToArray();
        Assert.Contains("is_global = true", lines);
        // Below a user's own global configs (0 and up), so their per-rule severities win.
        var level = Assert.Single(lines, l => l.StartsWith("global_level", StringComparison.Ordinal));
        Assert.True(int.Parse(level.Split('=')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture) < 0, level);

        var ids = RuleIds().ToHashSet();
        var severity = new Regex(@"^dotnet_diagnostic\.(?<id>[^.]+)\.severity = (?<level>\w+)$");
        var listed = new List<string>();
        foreach (var line in lines.Where(l => l.StartsWith("dotnet_diagnostic.", StringComparison.Ordinal)))
        {
            var match = severity.Match(line);
            Assert.True(match.Success, "unexpected line in the Strict preset: " + line);
            Assert.True(ids.Contains(match.Groups["id"].Value), "the Strict preset names " + match.Groups["id"].Value + ", which is no rule");
            Assert.Equal("error", match.Groups["level"].Value);
            listed.Add(match.Groups["id"].Value);
        }

        Assert.Equal(listed.Count, listed.Distinct().Count());
        foreach (var id in ids)
        {
            Assert.True(listed.Contains(id) != NotInStrictPreset.ContainsKey(id), id + " must be either in the Strict preset or in NotInStrictPreset (not both)");
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
        var ids = RuleIds().OrderBy(i => i).ToArray();
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
