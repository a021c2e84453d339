using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;

namespace SafeMigrations.Tool
{
    /// <summary>
    /// Prints the runner's lines (<c>info:</c>, <c>progress:</c>, <c>warn:</c>, <c>error:</c>) to fit where the tool
    /// runs: by default the lines about whole migrations, every finding and a summary, the per-step detail only with
    /// <c>--verbose</c> (the report always has it); a long step's progress as one live line in a terminal and as a line
    /// every <see cref="CiProgressInterval"/> in a CI log; under GitHub Actions findings also become annotations
    /// (<see cref="GitHubActions"/>).
    /// </summary>
    internal sealed class RunnerOutput
    {
        /// <summary>In a CI log, one progress line per step at most this often.</summary>
        public static readonly TimeSpan CiProgressInterval = TimeSpan.FromSeconds(10);

        private const string RunnerUsage = "; usage: SafeMigrations.Runner";

        // "<level>: 20240101000000_Name step 3 (...)...": a line about one step; what the engine says of whole migrations starts "<id>: ".
        private static readonly Regex StepLine = new Regex(@"^(info|progress): (?<step>\d{14}_\S+ step \d+) ", RegexOptions.CultureInvariant);
        private static readonly Regex MigrationId = new Regex(@"^\w+: (?:SM\d{4}: )?(?<id>\d{14}_[A-Za-z0-9_]+)", RegexOptions.CultureInvariant);
        private static readonly Regex Percent = new Regex(@"(?<value>\d{1,3}(?:\.\d+)?)\s?%", RegexOptions.CultureInvariant);

        private readonly string _command;
        private readonly bool _verbose;
        private readonly bool _interactive;
        private readonly TextWriter _console;
        private readonly GitHubActions? _github;
        private readonly Func<TimeSpan> _clock;
        private readonly object _gate = new object();
        private readonly HashSet<string> _migrations = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<string, TimeSpan> _lastProgress = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        private int _warnings;
        private int _errors;
        private int _hidden;
        private bool _liveLineShown;

        public RunnerOutput(string command, bool verbose, bool interactive, TextWriter console, GitHubActions? github, Func<TimeSpan>? clock = null)
        {
            _command = command;
            // The plan is the list of steps: its detail is what was asked for.
            _verbose = verbose || command == "plan";
            _interactive = interactive;
            _console = console;
            _github = github;
            var stopwatch = Stopwatch.StartNew();
            _clock = clock ?? (() => stopwatch.Elapsed);
        }

        /// <summary>A person at a terminal: output not redirected and no CI variable set.</summary>
        public static bool IsInteractiveTerminal()
            => !Console.IsOutputRedirected
                && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
                && !GitHubActions.IsActive();

        public void WriteRunnerLine(string runnerLine)
        {
            string line = Translate(runnerLine);
            lock (_gate)
            {
                if (line.StartsWith("warn: ", StringComparison.Ordinal))
                    _warnings++;
                else if (line.StartsWith("error: ", StringComparison.Ordinal))
                    _errors++;
                if (MigrationId.Match(line) is { Success: true } migration)
                    _migrations.Add(migration.Groups["id"].Value);
                if (line.StartsWith("warn: ", StringComparison.Ordinal) || line.StartsWith("error: ", StringComparison.Ordinal))
                    _github?.Annotate(line);

                Match step = StepLine.Match(line);
                if (_verbose)
                    Print(line);
                else if (step.Success && line.StartsWith("progress: ", StringComparison.Ordinal))
                    ShowProgress(step.Groups["step"].Value, line);
                else if (step.Success || line.StartsWith("info: postgres: ", StringComparison.Ordinal))
                    _hidden++;
                else
                    Print(line);
            }
        }

        /// <summary>Ends a live progress line and prints the summary.</summary>
        public void Finish(int exitCode)
        {
            lock (_gate)
            {
                EndLiveLine();
                string detail = _hidden > 0 ? $"; {_hidden} line(s) of per-step detail not shown (--verbose, or the report with --report)" : string.Empty;
                Print($"info: {_command} {(exitCode == 0 ? "succeeded" : "failed")}: {_migrations.Count} migration(s) named, {_warnings} warning(s), {_errors} error(s) in {_clock().TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s{detail}");
            }
        }

        private void ShowProgress(string step, string line)
        {
            if (_interactive)
            {
                string text = line.Substring("progress: ".Length);
                string bar = Percent.Match(text) is { Success: true } percent && double.TryParse(percent.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                    ? Bar(Math.Clamp(value, 0, 100)) + " "
                    : string.Empty;
                int width = Console.IsOutputRedirected ? 120 : Math.Max(40, SafeWindowWidth() - 1);
                string live = bar + text;
                if (live.Length > width)
                    live = live.Substring(0, width - 1) + "…";
                _console.Write("\r" + live.PadRight(width));
                _console.Flush();
                _liveLineShown = true;
                return;
            }
            TimeSpan now = _clock();
            if (_lastProgress.TryGetValue(step, out TimeSpan last) && now - last < CiProgressInterval)
            {
                _hidden++;
                return;
            }
            _lastProgress[step] = now;
            Print(line);
        }

        private void Print(string line)
        {
            EndLiveLine();
            _console.WriteLine(line);
            _console.Flush();
        }

        private void EndLiveLine()
        {
            if (!_liveLineShown)
                return;
            _console.WriteLine();
            _liveLineShown = false;
        }

        private static string Bar(double percent)
        {
            const int Width = 20;
            int filled = (int)Math.Round(percent / 100 * Width);
            return "[" + new string('#', filled) + new string('-', Width - filled) + "] " + percent.ToString("0", CultureInfo.InvariantCulture).PadLeft(3) + "%";
        }

        private static int SafeWindowWidth()
        {
            try
            {
                return Console.WindowWidth > 0 ? Console.WindowWidth : 120;
            }
            catch (IOException)
            {
                return 120;
            }
        }

        /// <summary>The runner speaks to its own command line; a tool user is pointed at the tool's.</summary>
        private string Translate(string line)
        {
            int usage = line.IndexOf(RunnerUsage, StringComparison.Ordinal);
            return usage < 0 ? line : line.Substring(0, usage) + " (dotnet safemigrations --help)";
        }
    }
}
