using System;
using System.Linq;
using System.Reflection;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// The in-process entry for a host that has already loaded the application's assembly: a bundle, a single-file
    /// executable in which no assembly has a path to load from. Same commands, options, output lines and exit codes as
    /// the runner, without <c>--assembly</c>.
    /// </summary>
    public static class RunnerHost
    {
        private static readonly string[] Commands = { RunnerProtocol.Commands.Plan, RunnerProtocol.Commands.Apply, RunnerProtocol.Commands.Status, RunnerProtocol.Commands.Rollback };

        private const string AssemblyOption = RunnerProtocol.OptionPrefix + RunnerProtocol.Options.Assembly;
        private const string ContextOption = RunnerProtocol.OptionPrefix + RunnerProtocol.Options.Context;

        internal static readonly string Usage = "usage: safemigrations-bundle <" + string.Join("|", Commands) + "> [options]; "
            + RunnerUsage.OptionGroups(Commands, RunnerProtocol.Options.Assembly, RunnerProtocol.Options.Connection)
            + "; the connection string comes from the " + RunnerProtocol.ConnectionVariable + " environment variable";

        /// <summary>
        /// Runs <c>plan</c>, <c>apply</c>, <c>status</c> or <c>rollback</c> on the migrations of <paramref name="app"/>;
        /// <paramref name="defaultContext"/> (chosen when the bundle was made) applies when <c>--context</c> is not given.
        /// Returns 0 on success and 1 on failure, as the runner does.
        /// </summary>
        public static int Run(string[] args, Assembly app, string? defaultContext = null)
        {
            if (args is null)
                throw new ArgumentNullException(nameof(args));
            if (app is null)
                throw new ArgumentNullException(nameof(app));
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.Out.WriteLine(Usage);
                return args.Length == 0 ? 1 : 0;
            }
            var log = new LineLog(Console.Out);
            if (args.Any(arg => string.Equals(arg, AssemblyOption, StringComparison.OrdinalIgnoreCase)))
            {
                log.Error(EngineCodes.Configuration, $"{AssemblyOption} is not an option here: this executable carries {app.GetName().Name} and its migrations; drop {AssemblyOption}.");
                return RunnerProtocol.ExitFailure;
            }
            if (args.Any(arg => arg.StartsWith("--conn", StringComparison.OrdinalIgnoreCase)))
            {
                // Deploy pipelines log command lines; a password must not travel on one.
                log.Error(EngineCodes.Configuration, $"{RunnerProtocol.OptionPrefix + RunnerProtocol.Options.Connection} is not accepted: set the {RunnerProtocol.ConnectionVariable} environment variable (from the pipeline's secret store) instead.");
                return RunnerProtocol.ExitFailure;
            }
            string[] withContext = args.Length > 0 && !string.IsNullOrWhiteSpace(defaultContext) && !args.Any(arg => string.Equals(arg, ContextOption, StringComparison.OrdinalIgnoreCase))
                ? args.Concat(new[] { ContextOption, defaultContext! }).ToArray()
                : args;
            return Program.RunCancellable(cancellationToken => RunnerCommand.Run(withContext, _ => { }, Console.Out, cancellationToken, app));
        }
    }
}
