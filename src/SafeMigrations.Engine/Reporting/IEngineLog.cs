namespace SafeMigrations.Engine.Reporting
{
    /// <summary>Severity of an engine message.</summary>
    public enum EngineMessageLevel
    {
        /// <summary>What the engine is doing.</summary>
        Info,

        /// <summary>Progress of a long step (backfill rows, ETA).</summary>
        Progress,

        /// <summary>Something the user should look at; the run goes on.</summary>
        Warning,

        /// <summary>The run failed.</summary>
        Error,
    }

    /// <summary>
    /// Where the engine's messages go. Warnings and errors carry an <see cref="EngineCodes"/> code; their text already
    /// names the migration and step and says what to do.
    /// </summary>
    public interface IEngineLog
    {
        /// <summary>Receives one message; <paramref name="code"/> is set for warnings and errors.</summary>
        void Write(EngineMessageLevel level, string? code, string message);
    }

    /// <summary>Helpers over <see cref="IEngineLog"/>.</summary>
    public static class EngineLogExtensions
    {
        /// <summary>Writes an informational message.</summary>
        public static void Info(this IEngineLog log, string message) => log.Write(EngineMessageLevel.Info, null, message);

        /// <summary>Writes a progress message.</summary>
        public static void Progress(this IEngineLog log, string message) => log.Write(EngineMessageLevel.Progress, null, message);

        /// <summary>Writes a warning with its code.</summary>
        public static void Warn(this IEngineLog log, string code, string message) => log.Write(EngineMessageLevel.Warning, code, message);

        /// <summary>Writes an error with its code.</summary>
        public static void Error(this IEngineLog log, string code, string message) => log.Write(EngineMessageLevel.Error, code, message);
    }

    /// <summary>A log that drops everything.</summary>
    public sealed class NullEngineLog : IEngineLog
    {
        /// <summary>The shared instance.</summary>
        public static readonly NullEngineLog Instance = new NullEngineLog();

        /// <inheritdoc />
        public void Write(EngineMessageLevel level, string? code, string message)
        {
        }
    }
}
