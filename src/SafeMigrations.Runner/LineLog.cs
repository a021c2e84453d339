using System.IO;
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
        private readonly SecretScrubber _secrets = new SecretScrubber();

        public LineLog(TextWriter output)
        {
            _output = output;
        }

        /// <summary>
        /// Never prints <paramref name="connectionString"/> nor its passwords (under whichever synonym), even when a
        /// provider message echoes them: nothing prints the string on purpose, this is the last guard.
        /// </summary>
        public void Hide(string? connectionString) => _secrets.Hide(connectionString);

        public void Write(EngineMessageLevel level, string? code, string message)
        {
            string prefix = level switch
            {
                EngineMessageLevel.Error => RunnerProtocol.Lines.Error + RunnerProtocol.Lines.Separator,
                EngineMessageLevel.Warning => RunnerProtocol.Lines.Warning + RunnerProtocol.Lines.Separator,
                EngineMessageLevel.Progress => RunnerProtocol.Lines.Progress + RunnerProtocol.Lines.Separator,
                _ => RunnerProtocol.Lines.Info + RunnerProtocol.Lines.Separator,
            };
            string line = prefix + (code is null ? string.Empty : code + RunnerProtocol.Lines.Separator) + Regex.Replace(message, @"[\r\n]+\s*", " ");
            line = _secrets.Scrub(line);
            lock (_gate)
            {
                _output.WriteLine(line);
                _output.Flush();
            }
        }
    }
}
