using System;
using System.Text.RegularExpressions;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace SafeMigrations.Build
{
    /// <summary>
    /// Runs SafeMigrations.Runner in the application's own dependency context, the way EF Core's tools run ef.dll:
    /// <c>dotnet exec --depsfile &lt;app&gt;.deps.json --runtimeconfig &lt;app&gt;.runtimeconfig.json SafeMigrations.Runner.dll
    /// &lt;command&gt; --assembly &lt;app&gt;.dll ...</c>, and turns the runner's prefixed output lines into MSBuild errors,
    /// warnings and messages.
    /// </summary>
    /// <remarks>
    /// The connection string reaches the runner only through the <c>SAFEMIGRATIONS_CONNECTION</c> environment variable
    /// of the child process: ToolTask logs the command line, and its <c>EnvironmentVariables</c> parameter is logged too.
    /// </remarks>
    public sealed class SafeMigrationsTask : ToolTask
    {
        /// <summary>The environment variable the runner reads the connection string from.</summary>
        public const string ConnectionVariable = RunnerProtocol.ConnectionVariable;

        /// <summary>The environment variable that tells the runner which process to outlive no longer than.</summary>
        public const string ParentPidVariable = RunnerProtocol.ParentPidVariable;

        /// <summary>The environment variable naming the file the task creates to ask the runner for a clean stop.</summary>
        public const string StopFileVariable = RunnerProtocol.StopFileVariable;

        /// <summary>How long a cancelled build waits for the runner to stop cleanly before ToolTask kills it.</summary>
        private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(30);

        private readonly string _stopFile = Path.Combine(Path.GetTempPath(), "safemigrations-stop-" + Guid.NewGuid().ToString("N"));
        private readonly System.Threading.ManualResetEventSlim _toolExited = new System.Threading.ManualResetEventSlim(true);

        private static readonly string[] Commands = RunnerProtocol.Commands.ForTask;

        // "20240101000000_Name step 3 (...)...": a line about one step (the tool's RunnerOutput tells them apart the same way).
        private static readonly Regex StepDetail = new Regex(@"^\d{14}_\S+ step \d+ ", RegexOptions.CultureInvariant);

        /// <summary>The runner command: <c>plan</c>, <c>apply</c>, <c>status</c>, <c>rollback</c>, <c>verify</c> or <c>stats</c>.</summary>
        [Required]
        public string Command { get; set; } = string.Empty;

        /// <summary>The built application assembly that holds the DbContext and its migrations (<c>$(TargetPath)</c>).</summary>
        [Required]
        public string Assembly { get; set; } = string.Empty;

        /// <summary>Path of SafeMigrations.Runner.dll.</summary>
        [Required]
        public string RunnerPath { get; set; } = string.Empty;

        /// <summary>The application's deps.json; defaults to the one next to <see cref="Assembly"/>.</summary>
        public string? DepsFile { get; set; }

        /// <summary>The application's runtimeconfig.json; defaults to the one next to <see cref="Assembly"/>.</summary>
        public string? RuntimeConfig { get; set; }

        /// <summary>
        /// Shared framework version for applications without a runtimeconfig.json (class libraries), passed as
        /// <c>--fx-version</c>; the runner's own runtimeconfig.json then names the framework.
        /// </summary>
        public string? RuntimeFrameworkVersion { get; set; }

        /// <summary>
        /// NuGet package folders: a class library's deps.json names package assemblies that are not copied next to it,
        /// so the host probes these folders for them.
        /// </summary>
        public string[]? AdditionalProbingPaths { get; set; }

        /// <summary>Connection string; when empty the runner reads <c>SAFEMIGRATIONS_CONNECTION</c> from the environment.</summary>
        public string? Connection { get; set; }

        /// <summary>The DbContext to use when the assembly defines several (simple or full name).</summary>
        public string? Context { get; set; }

        /// <summary><c>Expand</c>, <c>Contract</c> or <c>All</c>; the runner's default is Expand.</summary>
        public string? Phase { get; set; }

        /// <summary>The last migration to act on (id or name).</summary>
        public string? Target { get; set; }

        /// <summary>verify: how long a step may hold a lock that blocks reads or writes of a pre-existing table, in milliseconds.</summary>
        public string? LockBudget { get; set; }

        /// <summary>verify: the session TimeZone of the replay (default Europe/Berlin, deliberately not UTC).</summary>
        public string? TimeZone { get; set; }

        /// <summary>verify: the last migration deployed before SafeMigrations (id, name or 14-digit timestamp); it and those before it are applied, not judged.</summary>
        public string? StartAfter { get; set; }

        /// <summary>verify: share (0 to 1] of a pre-existing table's rows one step may change in one transaction (SM1015).</summary>
        public string? DataChangeShare { get; set; }

        /// <summary>verify: where to write the SARIF report.</summary>
        public string? Sarif { get; set; }

        /// <summary>lock_timeout of blocking steps, in milliseconds.</summary>
        public string? LockTimeout { get; set; }

        /// <summary>How long the runner waits for the answer to any one statement before it stops with an error, in milliseconds.</summary>
        public string? StatementTimeout { get; set; }

        /// <summary>Lock retries of a blocking step after its first attempt, before it gives up with SM1003.</summary>
        public string? LockRetries { get; set; }
        /// <summary>apply: longest wait of a concurrent index build for other transactions, in milliseconds (0 for no cap).</summary>
        public string? IndexWaitTimeout { get; set; }

        /// <summary>apply: a partly applied migration whose steps were edited in place, accepted as what ran (see SM1013).</summary>
        public string? AcceptEdited { get; set; }

        /// <summary>apply: <c>skip</c> runs contract steps without the contract gate (SM1016, printed loudly); <c>check</c> (default) runs it.</summary>
        public string? ContractGate { get; set; }

        /// <summary>apply: how long the contract gate watches pg_stat_statements, in milliseconds (default 60000).</summary>
        public string? ContractGateWindow { get; set; }
        /// <summary>apply: pause batched work while a streaming replica's replay lags more than this many MB (0: not watched; default 64).</summary>
        public string? MaxReplicaLag { get; set; }

        /// <summary>apply: pause batched work while a replica's replay_lag exceeds this many milliseconds (0: not watched; default 10000).</summary>
        public string? MaxReplicaLagTime { get; set; }

        /// <summary>apply: a query timed before and between batches; batches slow down while it is slower than its baseline allows.</summary>
        public string? LatencyProbe { get; set; }

        /// <summary>apply: how many times its baseline the latency probe may take (default 3).</summary>
        public string? LatencyFactor { get; set; }

        /// <summary>apply: longest wait before one batch, in milliseconds, before SM1017 (default 600000).</summary>
        public string? MaxPacingPause { get; set; }

        /// <summary>apply: connections each backfill or batched delete runs its key segments on at once (default 1).</summary>
        public string? BackfillWorkers { get; set; }

        /// <summary>stats: the snapshot file to write (default safemigrations.stats.json in the project directory).</summary>
        public string? StatsOutput { get; set; }

        /// <summary>stats: seconds between the two samples of the write rates (0: no rates).</summary>
        public string? StatsInterval { get; set; }

        /// <summary>plan and verify: the statistics snapshot for the estimated production impact per step.</summary>
        public string? Statistics { get; set; }

        /// <summary>Path of the markdown report to write.</summary>
        public string? Report { get; set; }

        /// <summary>Directory the runner starts in (the project directory).</summary>
        public string? WorkingDirectory { get; set; }

        /// <inheritdoc />
        protected override string ToolName => Path.DirectorySeparatorChar == '\\' ? "dotnet.exe" : "dotnet";

        /// <inheritdoc />
        protected override Encoding StandardOutputEncoding => Encoding.UTF8;

        /// <inheritdoc />
        protected override Encoding StandardErrorEncoding => Encoding.UTF8;

        /// <inheritdoc />
        protected override string GenerateFullPathToTool()
        {
            // The SDK sets DOTNET_HOST_PATH for everything it starts, so the same dotnet runs the runner.
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
                return host!;
            foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
            {
                if (directory.Length == 0)
                    continue;
                string candidate = Path.Combine(directory.Trim('"'), ToolName);
                if (File.Exists(candidate))
                    return candidate;
            }
            return ToolName;
        }

        /// <inheritdoc />
        protected override bool ValidateParameters()
        {
            if (Array.IndexOf(Commands, Command) < 0)
            {
                Log.LogError(null, RunnerProtocol.Codes.Configuration, null, null, 0, 0, 0, 0, "SafeMigrations: unknown command '{0}'; use one of {1}.", Command, string.Join(", ", Commands));
                return false;
            }
            if (!File.Exists(Assembly))
            {
                Log.LogError(null, RunnerProtocol.Codes.NotFound, null, null, 0, 0, 0, 0, "SafeMigrations: the application assembly '{0}' does not exist; build the project first.", Assembly);
                return false;
            }
            if (!File.Exists(RunnerPath))
            {
                Log.LogError(null, RunnerProtocol.Codes.Configuration, null, null, 0, 0, 0, 0, "SafeMigrations: the runner '{0}' does not exist; restore the SafeMigrations package again.", RunnerPath);
                return false;
            }
            string? connectionProblem = SplitConnectionCheck.Problem(Connection, (BuildEngine as IBuildEngine6)?.GetGlobalProperties(), Environment.GetEnvironmentVariable(ConnectionVariable));
            if (connectionProblem is not null)
            {
                Log.LogError(null, RunnerProtocol.Codes.Configuration, null, null, 0, 0, 0, 0, "SafeMigrations: {0}", connectionProblem);
                return false;
            }
            if (!File.Exists(ResolvedRuntimeConfig()) && string.IsNullOrWhiteSpace(RuntimeFrameworkVersion))
            {
                Log.LogError(null, RunnerProtocol.Codes.Configuration, null, null, 0, 0, 0, 0, "SafeMigrations: '{0}' has no runtimeconfig.json and no runtime version was given; run the targets on a .NET (not .NET Standard) project.", Assembly);
                return false;
            }
            return true;
        }

        /// <inheritdoc />
        protected override string? GetWorkingDirectory() => string.IsNullOrWhiteSpace(WorkingDirectory) ? null : WorkingDirectory;

        /// <inheritdoc />
        protected override string GenerateCommandLineCommands()
        {
            var builder = new CommandLineBuilder();
            builder.AppendSwitch("exec");
            string depsFile = ResolvedDepsFile();
            if (File.Exists(depsFile))
                builder.AppendSwitchIfNotNull("--depsfile ", depsFile);
            string runtimeConfig = ResolvedRuntimeConfig();
            if (File.Exists(runtimeConfig))
                builder.AppendSwitchIfNotNull("--runtimeconfig ", runtimeConfig);
            else
                builder.AppendSwitchIfNotNull("--fx-version ", RuntimeFrameworkVersion);
            foreach (string folder in AdditionalProbingPaths ?? Array.Empty<string>())
            {
                if (!string.IsNullOrWhiteSpace(folder))
                    builder.AppendSwitchIfNotNull("--additionalprobingpath ", folder.TrimEnd('/', '\\'));
            }

            builder.AppendFileNameIfNotNull(RunnerPath);
            builder.AppendSwitch(Command);
            builder.AppendSwitchIfNotNull(RunnerProtocol.OptionPrefix + RunnerProtocol.Options.Assembly + " ", Assembly);
            // Only what the command takes: a property set for the whole project (SafeMigrationsPhase) must not fail stats.
            foreach (KeyValuePair<string, string?> option in RunnerOptions())
            {
                if (RunnerProtocol.CommandOptions.Takes(Command, option.Key))
                    AppendOption(builder, option.Key, option.Value);
            }

            return builder.ToString();
        }

        /// <inheritdoc />
        protected override ProcessStartInfo GetProcessStartInfo(string pathToTool, string commandLineCommands, string responseFileSwitch)
        {
            ProcessStartInfo startInfo = base.GetProcessStartInfo(pathToTool, commandLineCommands, responseFileSwitch);
            // Set here rather than through EnvironmentVariables, which ToolTask writes to the log.
            if (!string.IsNullOrWhiteSpace(Connection))
                startInfo.Environment[ConnectionVariable] = Connection;
            // The runner stops cleanly when this process (the build, or the MSBuild node running it) goes away.
            startInfo.Environment[ParentPidVariable] = Process.GetCurrentProcess().Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            startInfo.Environment[StopFileVariable] = _stopFile;
            return startInfo;
        }

        /// <inheritdoc />
        protected override int ExecuteTool(string pathToTool, string responseFileCommands, string commandLineCommands)
        {
            _toolExited.Reset();
            try
            {
                return base.ExecuteTool(pathToTool, responseFileCommands, commandLineCommands);
            }
            finally
            {
                _toolExited.Set();
                DeleteStopFile();
            }
        }

        /// <inheritdoc />
        public override void Cancel()
        {
            // ToolTask's cancellation kills the runner outright (SIGKILL on Unix): no cancellation recorded, no report.
            // Ask it to stop cleanly first (it watches for this file), and kill it only if it does not stop in time.
            // MSBuild cancels this way on Ctrl+C and when the build that owns this node goes away.
            try
            {
                File.WriteAllText(_stopFile, "stop");
                _toolExited.Wait(CancelGrace);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                // Without the file the runner still stops when this process goes away.
            }
            base.Cancel();
        }

        private void DeleteStopFile()
        {
            try
            {
                File.Delete(_stopFile);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                // A leftover in the temp folder names a finished run; harmless.
            }
        }

        /// <inheritdoc />
        protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
        {
            if (singleLine is null)
                return;
            RunnerLine line = RunnerLine.Parse(Redact(singleLine));
            switch (line.Kind)
            {
                case RunnerLineKind.Error:
                    Log.LogError(null, line.Code, null, null, 0, 0, 0, 0, line.Message);
                    break;
                case RunnerLineKind.Warning:
                    Log.LogWarning(null, line.Code, null, null, 0, 0, 0, 0, line.Message);
                    break;
                case RunnerLineKind.Progress:
                case RunnerLineKind.Info:
                    // High: these targets only run when asked for, and the lines about whole migrations, the status and
                    // the summary are the answer (dotnet build's default verbosity shows nothing less important). Each
                    // step's detail (as it runs, verify's traces) is Normal: -v:n shows it, the report always has it.
                    // plan's steps are its answer.
                    bool stepDetail = Command != RunnerProtocol.Commands.Plan && (StepDetail.IsMatch(line.Message) || line.Message.StartsWith("postgres: ", StringComparison.Ordinal));
                    Log.LogMessage(stepDetail ? MessageImportance.Normal : MessageImportance.High, line.Message);
                    break;
                default:
                    // The host's own complaints (missing runtime, bad deps.json) come without a prefix: keep them visible.
                    Log.LogMessage(MessageImportance.High, line.Message);
                    break;
            }
        }

        /// <inheritdoc />
        protected override bool HandleTaskExecutionErrors()
        {
            // The runner already explained its failure with an SM error; the generic "exited with code 1" adds nothing.
            if (Log.HasLoggedErrors)
                return false;
            Log.LogError(null, RunnerProtocol.Codes.Configuration, null, null, 0, 0, 0, 0, "SafeMigrations: the runner exited with code {0} without reporting an error; see the output above (is a .NET runtime for the app installed?).", ExitCode);
            return false;
        }

        /// <inheritdoc />
        protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;

        private string ResolvedDepsFile() =>
            !string.IsNullOrWhiteSpace(DepsFile) ? DepsFile! : Path.ChangeExtension(Assembly, ".deps.json");

        private string ResolvedRuntimeConfig() =>
            !string.IsNullOrWhiteSpace(RuntimeConfig) ? RuntimeConfig! : Path.ChangeExtension(Assembly, ".runtimeconfig.json");

        /// <summary>Each runner option the task has a property for, with the property's value.</summary>
        private KeyValuePair<string, string?>[] RunnerOptions() => new[]
        {
            new KeyValuePair<string, string?>(RunnerProtocol.Options.Context, Context),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.Phase, Phase),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.Target, Target),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.LockTimeout, LockTimeout),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.LockRetries, LockRetries),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.StatementTimeout, StatementTimeout),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.Report, Report),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.IndexWaitTimeout, IndexWaitTimeout),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.AcceptEdited, AcceptEdited),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.ContractGate, ContractGate),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.ContractGateWindow, ContractGateWindow),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.MaxReplicaLag, MaxReplicaLag),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.MaxReplicaLagTime, MaxReplicaLagTime),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.LatencyProbe, LatencyProbe),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.LatencyFactor, LatencyFactor),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.MaxPacingPause, MaxPacingPause),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.BackfillWorkers, BackfillWorkers),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.LockBudget, LockBudget),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.DataChangeShare, DataChangeShare),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.Sarif, Sarif),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.TimeZone, TimeZone),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.StartAfter, StartAfter),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.Statistics, Statistics),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.Output, StatsOutput),
            new KeyValuePair<string, string?>(RunnerProtocol.Options.Interval, StatsInterval),
        };

        private static void AppendOption(CommandLineBuilder builder, string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
                builder.AppendSwitchIfNotNull(RunnerProtocol.OptionPrefix + name + " ", value!.Trim());
        }

        /// <summary>The runner never prints the password; this guards against a provider message that echoes it anyway.</summary>
        private string Redact(string line)
        {
            var secrets = new List<string>();
            if (!string.IsNullOrEmpty(Connection))
                secrets.Add(Connection!);
            string? fromEnvironment = Environment.GetEnvironmentVariable(ConnectionVariable);
            if (!string.IsNullOrEmpty(fromEnvironment))
                secrets.Add(fromEnvironment!);
            foreach (string secret in secrets)
            {
                line = line.Replace(secret, "<connection string>");
                foreach (string password in ConnectionStringKeywords.SecretValues(secret))
                    line = line.Replace(password, "***");
            }
            return line;
        }
    }
}
