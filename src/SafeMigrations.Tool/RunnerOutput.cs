using System;
using System.IO;

namespace SafeMigrations.Tool
{
    /// <summary>Prints the runner's output lines (<c>info:</c>, <c>progress:</c>, <c>warn:</c>, <c>error:</c>) for a person or a CI log.</summary>
    internal sealed class RunnerOutput
    {
        private const string RunnerUsage = "; usage: SafeMigrations.Runner";

        private readonly string _command;
        private readonly TextWriter _console;
        private readonly object _gate = new object();

        public RunnerOutput(string command, TextWriter console)
        {
            _command = command;
            _console = console;
        }

        public void WriteRunnerLine(string line)
        {
            lock (_gate)
            {
                _console.WriteLine(Translate(line));
                _console.Flush();
            }
        }

        public void Finish()
        {
        }

        /// <summary>The runner speaks to its own command line; a tool user is pointed at the tool's.</summary>
        private string Translate(string line)
        {
            if (_command == "script" && line.StartsWith("error: SM1001: unknown command 'script'", StringComparison.Ordinal))
                return "error: SM1001: this version of the SafeMigrations engine cannot write phased SQL scripts yet (no 'script' command in its runner); update the SafeMigrations.Tool package, or deploy with `dotnet safemigrations apply --phase Expand` / a bundle meanwhile.";
            int usage = line.IndexOf(RunnerUsage, StringComparison.Ordinal);
            return usage < 0 ? line : line.Substring(0, usage) + " (dotnet safemigrations --help)";
        }
    }
}
