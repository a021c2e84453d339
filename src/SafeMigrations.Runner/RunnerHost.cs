using System;
using System.Linq;
using System.Reflection;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// The in-process entry for a host that has already loaded the application's assembly: a bundle, a single-file
    /// executable in which no assembly has a path to load from. Same commands, options, output lines and exit codes as
    /// the runner, without <c>--assembly</c>.
    /// </summary>
    public static class RunnerHost
    {
        private const string Usage = "usage: safemigrations-bundle <plan|apply|status|rollback> [--phase Expand|Contract|All] [--target <migration>] [--context <DbContext>] [--lock-timeout <ms>] [--lock-retries <n>] [--index-wait-timeout <ms>] [--accept-edited <migration>] [--contract-gate check|skip] [--contract-gate-window <ms>] [--statement-timeout <ms>] [--report <path.md>]; the connection string comes from the " + RunnerCommand.ConnectionVariable + " environment variable";

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
            if (args.Any(arg => string.Equals(arg, "--assembly", StringComparison.OrdinalIgnoreCase)))
            {
                Console.Out.WriteLine($"error: SM1001: --assembly is not an option here: this executable carries {app.GetName().Name} and its migrations; drop --assembly.");
                return 1;
            }
            if (args.Any(arg => arg.StartsWith("--conn", StringComparison.OrdinalIgnoreCase)))
            {
                // Deploy pipelines log command lines; a password must not travel on one.
                Console.Out.WriteLine($"error: SM1001: --connection is not accepted: set the {RunnerCommand.ConnectionVariable} environment variable (from the pipeline's secret store) instead.");
                return 1;
            }
            string[] withContext = args.Length > 0 && !string.IsNullOrWhiteSpace(defaultContext) && !args.Any(arg => string.Equals(arg, "--context", StringComparison.OrdinalIgnoreCase))
                ? args.Concat(new[] { "--context", defaultContext! }).ToArray()
                : args;
            return Program.RunCancellable(cancellationToken => RunnerCommand.Run(withContext, _ => { }, Console.Out, cancellationToken, app));
        }
    }
}
