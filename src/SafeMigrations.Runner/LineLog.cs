using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using SafeMigrations.Engine.Connections;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// The output protocol the MSBuild task parses: one message per line, prefixed <c>info: </c>, <c>progress: </c>,
    /// <c>warn: </c> or <c>error: </c>; warnings and errors continue with their SM code, e.g.
    /// <c>error: SM1002: 20240101000000_AddIndex step 3 (create index "IX_a" concurrently): what happened; what to do</c>.
    /// </summary>
    internal sealed class LineLog : IEngineLog
    {
        private readonly TextWriter _output;
        private readonly object _gate = new object();
        private readonly List<string> _secrets = new List<string>();

        public LineLog(TextWriter output)
        {
            _output = output;
        }

        /// <summary>
        /// Never prints <paramref name="connectionString"/> nor its passwords (under whichever synonym), even when a
        /// provider message echoes them: nothing prints the string on purpose, this is the last guard.
        /// </summary>
        public void Hide(string? connectionString)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
                return;
            lock (_gate)
            {
                _secrets.Add(connectionString!);
                // A password of one to three characters cannot be told apart from ordinary text; nothing prints it on purpose.
                _secrets.AddRange(ConnectionTarget.Secrets(connectionString).Where(secret => secret.Length >= 4));
                // Longest first, so a password inside the whole string does not leave the rest of it behind.
                _secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
            }
        }

        public void Write(EngineMessageLevel level, string? code, string message)
        {
            string prefix = level switch
            {
                EngineMessageLevel.Error => "error: ",
                EngineMessageLevel.Warning => "warn: ",
                EngineMessageLevel.Progress => "progress: ",
                _ => "info: ",
            };
            string line = prefix + (code is null ? string.Empty : code + ": ") + Regex.Replace(message, @"[\r\n]+\s*", " ");
            lock (_gate)
            {
                foreach (string secret in _secrets)
                    line = line.Replace(secret, "***");
                _output.WriteLine(line);
                _output.Flush();
            }
        }
    }
}
