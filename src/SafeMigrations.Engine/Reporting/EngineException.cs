using System;

namespace SafeMigrations.Engine.Reporting
{
    /// <summary>
    /// A failure the engine explains: an <see cref="EngineCodes"/> code and a message that names the migration and
    /// step and says what to do. The runner prints it as one <c>error:</c> line.
    /// </summary>
    public sealed class EngineException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public EngineException(string code, string message, Exception? innerException = null)
            : base(message, innerException)
        {
            Code = code;
        }

        /// <summary>The <see cref="EngineCodes"/> code.</summary>
        public string Code { get; }
    }
}
