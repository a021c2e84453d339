using System;
using System.Text.RegularExpressions;

namespace SafeMigrations.Build
{
    /// <summary>What a runner output line is.</summary>
    public enum RunnerLineKind
    {
        /// <summary>Not in the runner's protocol (e.g. a message from the .NET host).</summary>
        Other,

        /// <summary><c>info: </c></summary>
        Info,

        /// <summary><c>progress: </c></summary>
        Progress,

        /// <summary><c>warn: </c></summary>
        Warning,

        /// <summary><c>error: </c></summary>
        Error,
    }

    /// <summary>
    /// One line of the runner's protocol: <c>info: </c>, <c>progress: </c>, <c>warn: </c> or <c>error: </c>, warnings
    /// and errors followed by their code (<c>error: SM1002: 20240102000000_Hardening step 3 (...): what; what to do</c>).
    /// </summary>
    public sealed class RunnerLine
    {
        private static readonly Regex Protocol = new Regex(
            "^(?<kind>" + RunnerProtocol.Lines.Info + "|" + RunnerProtocol.Lines.Progress + "|" + RunnerProtocol.Lines.Warning + "|" + RunnerProtocol.Lines.Error + ")"
            + RunnerProtocol.Lines.Separator + @"(?:(?<code>SM\d{4})" + RunnerProtocol.Lines.Separator + @")?(?<message>.*)$",
            RegexOptions.CultureInvariant | RegexOptions.Singleline);

        private RunnerLine(RunnerLineKind kind, string? code, string message)
        {
            Kind = kind;
            Code = code;
            Message = message;
        }

        /// <summary>The line's kind.</summary>
        public RunnerLineKind Kind { get; }

        /// <summary>The SM code of a warning or error, if it has one.</summary>
        public string? Code { get; }

        /// <summary>The text after the prefix and code (the whole line for <see cref="RunnerLineKind.Other"/>).</summary>
        public string Message { get; }

        /// <summary>Reads one output line.</summary>
        public static RunnerLine Parse(string line)
        {
            string text = line.TrimEnd('\r');
            Match match = Protocol.Match(text);
            if (!match.Success)
                return new RunnerLine(RunnerLineKind.Other, null, text);
            RunnerLineKind kind = match.Groups["kind"].Value switch
            {
                RunnerProtocol.Lines.Error => RunnerLineKind.Error,
                RunnerProtocol.Lines.Warning => RunnerLineKind.Warning,
                RunnerProtocol.Lines.Progress => RunnerLineKind.Progress,
                _ => RunnerLineKind.Info,
            };
            string? code = match.Groups["code"].Success ? match.Groups["code"].Value : null;
            // An error without a code is still an error of this tool: give it the generic step-failure code.
            if (code is null && kind == RunnerLineKind.Error)
                code = RunnerProtocol.Codes.StepFailed;
            return new RunnerLine(kind, code, match.Groups["message"].Value);
        }

        /// <inheritdoc />
        public override string ToString() => Kind + (Code is null ? string.Empty : " " + Code) + ": " + Message;
    }
}
