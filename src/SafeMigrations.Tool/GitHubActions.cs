using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;

namespace SafeMigrations.Tool
{
    /// <summary>
    /// Under GitHub Actions (GITHUB_ACTIONS=true): every finding also as a workflow annotation on the migration's source
    /// file and the line of its <c>[Migration("id")]</c> attribute (the engine runs compiled migrations and knows no
    /// finer position), and the markdown report appended to the job summary ($GITHUB_STEP_SUMMARY).
    /// </summary>
    internal sealed class GitHubActions
    {
        private static readonly Regex Finding = new Regex(@"^(?<level>warn|error): (?<code>SM\d{4}): (?<message>.*)$", RegexOptions.CultureInvariant);
        private static readonly Regex MigrationAtStart = new Regex(@"^(?<id>\d{14}_[A-Za-z0-9_]+)", RegexOptions.CultureInvariant);
        private static readonly Regex MigrationAttribute = new Regex(@"\[\s*(?:Microsoft\.EntityFrameworkCore\.Migrations\.)?Migration(?:Attribute)?\s*\(\s*""(?<id>[^""]+)""\s*\)\s*\]", RegexOptions.CultureInvariant);

        private readonly string _projectDirectory;
        private readonly string _workspace;
        private readonly string? _summaryFile;
        private readonly TextWriter _console;
        private Dictionary<string, (string File, int Line)>? _sources;

        public GitHubActions(string projectDirectory, string workspace, string? summaryFile, TextWriter console)
        {
            _projectDirectory = projectDirectory;
            _workspace = workspace;
            _summaryFile = summaryFile;
            _console = console;
        }

        public static bool IsActive() => string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);

        /// <summary>Null when not running under GitHub Actions.</summary>
        public static GitHubActions? FromEnvironment(string projectDirectory, TextWriter console)
        {
            if (!IsActive())
                return null;
            string workspace = Environment.GetEnvironmentVariable("GITHUB_WORKSPACE") is { Length: > 0 } configured ? configured : Directory.GetCurrentDirectory();
            string? summary = Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY");
            return new GitHubActions(projectDirectory, workspace, string.IsNullOrWhiteSpace(summary) ? null : summary, console);
        }

        /// <summary>
        /// The report to append to the job summary: the one asked for with <c>--report</c>, else a temporary one added
        /// to <paramref name="runnerOptions"/>. Null when there is no job summary or <paramref name="command"/> writes no
        /// report (stats, script: the runner would refuse the option).
        /// </summary>
        public string? PrepareReport(string command, List<string> runnerOptions)
        {
            if (_summaryFile is null || !RunnerProtocol.CommandOptions.Takes(command, RunnerProtocol.Options.Report))
                return null;
            string option = RunnerProtocol.OptionPrefix + RunnerProtocol.Options.Report;
            int given = runnerOptions.IndexOf(option);
            if (given >= 0 && given + 1 < runnerOptions.Count)
                return Path.GetFullPath(runnerOptions[given + 1]);
            string report = Path.Combine(Path.GetTempPath(), $"safemigrations-report-{Guid.NewGuid():N}.md");
            runnerOptions.Add(option);
            runnerOptions.Add(report);
            return report;
        }

        /// <summary>Appends <paramref name="report"/> (when the run wrote it) to the job summary.</summary>
        public void AppendSummary(string? report)
        {
            if (_summaryFile is null || report is null || !File.Exists(report))
                return;
            File.AppendAllText(_summaryFile, File.ReadAllText(report) + Environment.NewLine);
        }

        /// <summary>Writes <c>::warning file=..,line=..,title=SMxxxx::message</c> (or <c>::error</c>) for a finding line.</summary>
        public void Annotate(string line)
        {
            Match finding = Finding.Match(line);
            if (!finding.Success)
                return;
            string message = finding.Groups["message"].Value;
            var properties = new List<string>();
            if (MigrationAtStart.Match(message) is { Success: true } migration && Sources().TryGetValue(migration.Groups["id"].Value, out var source))
            {
                properties.Add("file=" + Property(source.File));
                properties.Add("line=" + source.Line);
            }
            properties.Add("title=" + Property(finding.Groups["code"].Value));
            string command = finding.Groups["level"].Value == "error" ? "error" : "warning";
            _console.WriteLine($"::{command} {string.Join(",", properties)}::{Data(finding.Groups["code"].Value + ": " + message)}");
        }

        /// <summary>Migration id → source file (relative to the workspace, with '/') and the line of its attribute.</summary>
        private Dictionary<string, (string File, int Line)> Sources()
        {
            if (_sources is not null)
                return _sources;
            _sources = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
            foreach (string file in SourceFiles(_projectDirectory))
            {
                string[] lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                {
                    if (MigrationAttribute.Match(lines[i]) is { Success: true } attribute && !_sources.ContainsKey(attribute.Groups["id"].Value))
                        _sources[attribute.Groups["id"].Value] = (Path.GetRelativePath(_workspace, file).Replace('\\', '/'), i + 1);
                }
            }
            return _sources;
        }

        private static IEnumerable<string> SourceFiles(string directory)
        {
            foreach (string file in Directory.EnumerateFiles(directory, "*.cs"))
                yield return file;
            foreach (string child in Directory.EnumerateDirectories(directory))
            {
                string name = Path.GetFileName(child);
                if (name is "bin" or "obj" or "node_modules" || name.StartsWith(".", StringComparison.Ordinal))
                    continue;
                foreach (string file in SourceFiles(child))
                    yield return file;
            }
        }

        // Workflow command escaping: https://github.com/actions/toolkit (core/src/command.ts).
        private static string Data(string text) => text.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

        private static string Property(string text) => Data(text).Replace(":", "%3A").Replace(",", "%2C");
    }
}
