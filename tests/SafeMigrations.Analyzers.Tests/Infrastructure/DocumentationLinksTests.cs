using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>
/// Every relative link in README.md and the Markdown files under docs/ and src/ reaches a file that exists and is not
/// empty, and every #anchor a heading of that file (GitHub's slugs: lower case, punctuation dropped, spaces to hyphens).
/// </summary>
public class DocumentationLinksTests
{
    private static readonly Regex Link = new(@"\]\((?<target>[^)\s]+)\)");

    public static TheoryData<string> MarkdownFiles()
    {
        string root = Path.GetDirectoryName(RuleCatalogTests.RepoFile("README.md"))!;
        var files = new TheoryData<string>();
        foreach (string file in new[] { Path.Combine(root, "README.md") }
                     .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories))
                     .Concat(Directory.GetFiles(Path.Combine(root, "src"), "*.md", SearchOption.AllDirectories))
                     .Where(f => !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)))
        {
            files.Add(Path.GetRelativePath(root, file));
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Every_relative_link_reaches_a_non_empty_file_and_an_existing_heading(string file)
    {
        string root = Path.GetDirectoryName(RuleCatalogTests.RepoFile("README.md"))!;
        string path = Path.Combine(root, file);
        Assert.True(new FileInfo(path).Length > 0, file + " is empty");
        var broken = new List<string>();
        foreach (Match match in Link.Matches(File.ReadAllText(path)))
        {
            string target = match.Groups["target"].Value;
            if (Regex.IsMatch(target, "^[a-z]+:", RegexOptions.IgnoreCase))
            {
                continue; // http(s), mailto
            }

            int hash = target.IndexOf('#');
            string relative = hash < 0 ? target : target[..hash];
            string anchor = hash < 0 ? string.Empty : target[(hash + 1)..];
            string linked = relative.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, relative));
            if (!File.Exists(linked) && !Directory.Exists(linked))
            {
                broken.Add(target + " (no such file)");
            }
            else if (File.Exists(linked) && new FileInfo(linked).Length == 0)
            {
                broken.Add(target + " (empty file)");
            }
            else if (anchor.Length > 0 && linked.EndsWith(".md", StringComparison.Ordinal)
                     && !File.ReadLines(linked).Where(l => l.StartsWith('#')).Select(Slug).Contains(anchor))
            {
                broken.Add(target + " (no such heading)");
            }
        }

        Assert.True(broken.Count == 0, file + ": " + string.Join(", ", broken));
    }

    private static string Slug(string heading)
    {
        string text = heading.TrimStart('#').Trim().ToLowerInvariant();
        return Regex.Replace(text, @"[^\w\- ]", string.Empty).Replace(' ', '-');
    }
}
