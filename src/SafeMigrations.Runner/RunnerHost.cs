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
            if (args.Any(arg => string.Equals(arg, "--assembly", StringComparison.OrdinalIgnoreCase)))
            {
                Console.Out.WriteLine($"error: SM1001: --assembly is not an option here: this executable carries {app.GetName().Name} and its migrations; drop --assembly.");
                return 1;
            }
            if (args.Any(arg => string.Equals(arg, "--connection", StringComparison.OrdinalIgnoreCase)))
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
