using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Threading;
using SafeMigrations.Engine;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// Parses the command line and runs one command. Kept apart from <see cref="Program"/> so that no engine type is
    /// touched before the assembly resolution hook is installed.
    /// </summary>
    internal static class RunnerCommand
    {
        public const string ConnectionVariable = RunnerProtocol.ConnectionVariable;

        internal static readonly string Usage = RunnerUsage.Runner;

        public static int Run(string[] args, Action<string> setAppDirectory, TextWriter output, CancellationToken cancellationToken, Assembly? loadedApp = null)
        {
            var log = new LineLog(output);
            try
            {
                var (command, options) = Parse(args);
                options.TryGetValue(RunnerProtocol.Options.Connection, out string? connection);
                string? variable = Environment.GetEnvironmentVariable(ConnectionVariable);
                if (string.IsNullOrWhiteSpace(connection))
                    connection = variable;
                log.Hide(connection);
                log.Hide(variable);
                log.Info(RunnerTarget.FirstLine(command, connection));
                if (RunnerTarget.IgnoredVariableLine(connection, variable) is string ignored)
                    log.Info(ignored);
                if (command == RunnerProtocol.Commands.Stats)
                {
                    // No app is loaded; its folder still resolves Npgsql the way the other commands do.
                    if (options.TryGetValue(RunnerProtocol.Options.Assembly, out string? statsApp) && !string.IsNullOrWhiteSpace(statsApp))
                        setAppDirectory(Path.GetDirectoryName(Path.GetFullPath(statsApp))!);
                    return StatsCommand.Run(options, connection, log, cancellationToken);
                }
                string? assembly = null;
                if (loadedApp is null && !options.TryGetValue(RunnerProtocol.Options.Assembly, out assembly))
                    throw new EngineException(EngineCodes.Configuration, "--assembly <app.dll> is required; " + Usage);
                RunnerApp app = loadedApp is null ? RunnerApp.FromPath(assembly!) : RunnerApp.FromLoaded(loadedApp);
                if (app.Path is not null)
                    setAppDirectory(Path.GetDirectoryName(app.Path)!);
                if (command == RunnerProtocol.Commands.Verify)
                {
                    log.Info($"SafeMigrations verify: {app.FileName}" + (string.IsNullOrWhiteSpace(connection) ? ", throwaway PostgreSQL" : ", throwaway databases on the server above"));
                    return VerifyCommand.Run(options, app.PathForVerify(), connection, log, cancellationToken);
                }
                if (command == RunnerProtocol.Commands.Script)
                    return ScriptCommand.Run(options, app, connection, log);

                var engineOptions = new EngineOptions
                {
                    ConnectionString = connection ?? string.Empty,
                    Log = log,
                    Target = options.TryGetValue(RunnerProtocol.Options.Target, out string? target) && !string.IsNullOrWhiteSpace(target) ? target : null,
                    ReportPath = options.TryGetValue(RunnerProtocol.Options.Report, out string? report) && !string.IsNullOrWhiteSpace(report) ? report : null,
                    StatisticsPath = OptionValues.Value(options, RunnerProtocol.Options.Statistics),
                };
                if (options.TryGetValue(RunnerProtocol.Options.Phase, out string? phase) && !string.IsNullOrWhiteSpace(phase))
                {
                    if (!Enum.TryParse(phase, ignoreCase: true, out PhaseSelection selection) || int.TryParse(phase, out _))
                        throw new EngineException(EngineCodes.Configuration, $"--phase must be Expand, Contract or All, not '{phase}'.");
                    engineOptions.Phase = selection;
                }
                if (OptionValues.PositiveMilliseconds(options, RunnerProtocol.Options.LockTimeout) is TimeSpan lockTimeout)
                    engineOptions.LockTimeout = lockTimeout;
                if (OptionValues.PositiveMilliseconds(options, RunnerProtocol.Options.StatementTimeout) is TimeSpan statementTimeout)
                    engineOptions.StatementTimeout = statementTimeout;
                if (options.TryGetValue(RunnerProtocol.Options.LockRetries, out string? lockRetries) && !string.IsNullOrWhiteSpace(lockRetries))
                {
                    // Retries after the first attempt: 0 tries once.
                    if (!int.TryParse(lockRetries, NumberStyles.None, CultureInfo.InvariantCulture, out int retries) || retries > 1000)
                        throw new EngineException(EngineCodes.Configuration, $"--lock-retries must be a whole number from 0 to 1000 (retries after the first attempt), not '{lockRetries}'.");
                    engineOptions.MaxLockAttempts = retries + 1;
                }
                if (options.TryGetValue(RunnerProtocol.Options.IndexWaitTimeout, out string? indexWait) && !string.IsNullOrWhiteSpace(indexWait))
                {
                    if (!int.TryParse(indexWait, NumberStyles.None, CultureInfo.InvariantCulture, out int milliseconds))
                        throw new EngineException(EngineCodes.Configuration, $"--index-wait-timeout must be a number of milliseconds (0 for no cap), not '{indexWait}'.");
                    engineOptions.IndexWaitTimeout = milliseconds == 0 ? null : TimeSpan.FromMilliseconds(milliseconds);
                }
                if (options.TryGetValue(RunnerProtocol.Options.AcceptEdited, out string? acceptEdited) && !string.IsNullOrWhiteSpace(acceptEdited))
                    engineOptions.AcceptEditedMigration = acceptEdited;
                ContractGateOption.Apply(options, engineOptions);
                PacingArguments.Apply(options, engineOptions);

                options.TryGetValue(RunnerProtocol.Options.Context, out string? contextName);
                log.Info($"SafeMigrations {command}: {app.FileName}" + (RunnerProtocol.CommandOptions.Takes(command, RunnerProtocol.Options.Phase) ? $", phase {engineOptions.Phase}" : string.Empty));
                using MigrationCatalog catalog = app.LoadCatalog(contextName, string.IsNullOrWhiteSpace(connection) ? "Host=localhost" : connection!);
                log.Info($"context {catalog.Context.GetType().Name}: {catalog.Migrations.Count} migration(s); EF Core {catalog.ProductVersion}");
                var engine = new MigrationEngine(catalog, engineOptions);
                switch (command)
                {
                    case RunnerProtocol.Commands.Plan:
                        engine.PlanAsync(cancellationToken).GetAwaiter().GetResult();
                        break;
                    case RunnerProtocol.Commands.Apply:
                        engine.ApplyAsync(cancellationToken).GetAwaiter().GetResult();
                        break;
                    case RunnerProtocol.Commands.Status:
                        engine.StatusAsync(cancellationToken).GetAwaiter().GetResult();
                        break;
                    case RunnerProtocol.Commands.Rollback:
                        engine.RollbackAsync(cancellationToken).GetAwaiter().GetResult();
                        break;
                }
                return RunnerProtocol.ExitSuccess;
            }
            catch (EngineException exception)
            {
                log.Error(exception.Code, exception.Message);
                return RunnerProtocol.ExitFailure;
            }
            catch (OperationCanceledException)
            {
                log.Error(EngineCodes.Cancelled, "cancelled; completed steps are recorded, and a rerun resumes where this one stopped.");
                return RunnerProtocol.ExitFailure;
            }
            catch (Exception exception)
            {
                log.Error(EngineCodes.StepFailed, $"unexpected {exception.GetType().Name}: {exception.Message}; please report this with the output above.");
                return RunnerProtocol.ExitFailure;
            }
        }

        internal static (string Command, Dictionary<string, string> Options) Parse(string[] args)
        {
            if (args.Length == 0)
                throw new EngineException(EngineCodes.Configuration, "no command; " + Usage);
            string command = args[0].ToLowerInvariant();
            if (Array.IndexOf(RunnerProtocol.Commands.All, command) < 0)
                throw new EngineException(EngineCodes.Configuration, $"unknown command {CommandLineText.Shown(args[0])}; " + Usage);
            var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 1; i < args.Length; i++)
            {
                string arg = args[i];
                if (!arg.StartsWith(RunnerProtocol.OptionPrefix, StringComparison.Ordinal) || i + 1 >= args.Length)
                    throw new EngineException(EngineCodes.Configuration, $"unexpected argument {(arg.StartsWith(RunnerProtocol.OptionPrefix, StringComparison.Ordinal) && CommandLineText.IsWord(arg) ? "'" + arg + "' (missing value)" : CommandLineText.NotShown)}; " + Usage);
                string name = arg.Substring(RunnerProtocol.OptionPrefix.Length);
                if (!RunnerProtocol.CommandOptions.Takes(command, name))
                    throw new EngineException(EngineCodes.Configuration, CommandLineText.UnknownOption(command, arg) + "; " + Usage);
                options[name] = args[++i];
            }
            return (command, options);
        }
    }
}
