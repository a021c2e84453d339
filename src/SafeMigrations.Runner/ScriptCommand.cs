using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Scripting;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// <c>script</c>: writes <c>expand.sql</c> and <c>contract.sql</c> for a DBA to review and run with psql, from the
    /// offline plan (no database needed). Options: <c>--output &lt;dir&gt;</c> (default: the current directory),
    /// <c>--from</c> (exclusive) / <c>--to</c> (inclusive) migrations, <c>--lock-timeout &lt;ms&gt;</c>, <c>--context</c>.
    /// </summary>
    internal static class ScriptCommand
    {
        public static int Run(Dictionary<string, string> options, RunnerApp app, string? connection, IEngineLog log)
        {
            TimeSpan lockTimeout = OptionValues.PositiveMilliseconds(options, RunnerProtocol.Options.LockTimeout) ?? new EngineOptions().LockTimeout;
            string output = Path.GetFullPath(OptionValues.Value(options, RunnerProtocol.Options.Output) ?? ".");

            using MigrationCatalog catalog = app.LoadCatalog(OptionValues.Value(options, RunnerProtocol.Options.Context), string.IsNullOrWhiteSpace(connection) ? "Host=localhost" : connection!);
            var writer = new PhaseScriptWriter(catalog, lockTimeout);
            IReadOnlyList<MigrationInfo> migrations = writer.Range(OptionValues.Value(options, RunnerProtocol.Options.From), OptionValues.Value(options, RunnerProtocol.Options.To));
            PhaseScripts scripts = writer.Write(migrations);
            try
            {
                Directory.CreateDirectory(output);
                File.WriteAllText(Path.Combine(output, "expand.sql"), scripts.Expand);
                File.WriteAllText(Path.Combine(output, "contract.sql"), scripts.Contract);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                throw new EngineException(EngineCodes.Configuration, $"cannot write the scripts to {output}: {exception.Message}; pass a writable --output directory.");
            }
            log.Info($"wrote expand.sql and contract.sql for {migrations.Count} migration(s) of {catalog.Context.GetType().Name} to {output}; run each with psql -v ON_ERROR_STOP=1 -f <file>");
            return 0;
        }
    }
}
