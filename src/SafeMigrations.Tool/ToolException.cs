using System;

namespace SafeMigrations.Tool
{
    /// <summary>A problem the user can fix, reported as one <c>error: SMxxxx: ...</c> line (never a stack trace).</summary>
    internal sealed class ToolException : Exception
    {
        /// <summary>SM1001: a configuration problem (bad option, project not found or not built).</summary>
        public const string Configuration = RunnerProtocol.Codes.Configuration;

        /// <summary>SM1007: something named was not found.</summary>
        public const string NotFound = RunnerProtocol.Codes.NotFound;

        public ToolException(string code, string message)
            : base(message)
        {
            Code = code;
        }

        public string Code { get; }
    }
}
