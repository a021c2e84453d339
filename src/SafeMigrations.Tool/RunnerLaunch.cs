using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace SafeMigrations.Tool
{
    /// <summary>
    /// Runs the SafeMigrations runner in the startup project's dependency context, as <c>dotnet ef</c> runs ef.dll:
    /// <c>dotnet exec --depsfile app.deps.json --runtimeconfig app.runtimeconfig.json runner/SafeMigrations.Runner.dll</c>,
    /// so the app's EF Core and Npgsql are the ones loaded. The connection string reaches the runner only through the
    /// inherited SAFEMIGRATIONS_CONNECTION environment variable.
    /// </summary>
    internal static class RunnerLaunch
    {
        /// <summary>The statistics snapshot's conventional name (the runner's and the MSBuild target's default).</summary>
        public const string StatsFileName = "safemigrations.stats.json";

        /// <summary>The runner and its own assemblies (engine, SQL scanner, runtime library), shipped next to the tool.</summary>
        public static string RunnerDirectory => Path.Combine(AppContext.BaseDirectory, "runner");

        public static int Run(ToolArguments arguments, ProjectMetadata project, ProjectMetadata startup, RunnerOutput output)
        {
            string runner = Path.Combine(RunnerDirectory, "SafeMigrations.Runner.dll");
            if (!File.Exists(runner))
                throw new ToolException(ToolException.Configuration, $"the runner {runner} is missing from the tool's installation; reinstall the SafeMigrations.Tool package.");
            List<string> exec = ExecArguments(project, startup, runner, arguments);

            string stopFile = Path.Combine(Path.GetTempPath(), $"safemigrations-stop-{Environment.ProcessId}-{Guid.NewGuid():N}");
            var environment = new Dictionary<string, string>
            {
                // Read by the runner's ParentWatch: it stops cleanly when this process dies or the stop file appears.
                [RunnerProtocol.ParentPidVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                [RunnerProtocol.StopFileVariable] = stopFile,
            };
            // SIGTERM (a CI timeout) reaches only us: ask the runner for the same clean stop it makes on Ctrl+C.
            using PosixSignalRegistration? terminate = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                File.WriteAllText(stopFile, "stop");
            });
            try
            {
                int exitCode = DotNetProcess.Run(exec, output.WriteRunnerLine, Console.Error.WriteLine, environment, arguments.Verbose);
                output.Finish(exitCode);
                return exitCode;
            }
            finally
            {
                if (File.Exists(stopFile))
                    File.Delete(stopFile);
            }
        }

        /// <summary>The <c>dotnet exec</c> arguments; the app's assembly is taken from the startup project's output folder when it was copied there.</summary>
        public static List<string> ExecArguments(ProjectMetadata project, ProjectMetadata startup, string runner, ToolArguments arguments)
        {
            string copied = Path.Combine(Path.GetDirectoryName(startup.TargetPath)!, Path.GetFileName(project.TargetPath));
            string assembly = File.Exists(copied) ? copied : project.TargetPath;
            if (!File.Exists(assembly) || !File.Exists(startup.DepsFile))
                throw new ToolException(ToolException.Configuration, $"{(File.Exists(assembly) ? startup.DepsFile : assembly)} does not exist: the project is not built{(arguments.NoBuild ? "; run without --no-build" : string.Empty)}.");

            var exec = new List<string> { "exec", "--depsfile", startup.DepsFile };
            if (File.Exists(startup.RuntimeConfig))
            {
                exec.Add("--runtimeconfig");
                exec.Add(startup.RuntimeConfig);
            }
            else
            {
                // A class library: the runner's own runtimeconfig names the framework; its packages stay in NuGet's folders.
                exec.Add("--fx-version");
                exec.Add(startup.FrameworkVersion);
            }
            foreach (string folder in startup.PackageFolders)
            {
                exec.Add("--additionalprobingpath");
                exec.Add(folder.TrimEnd('/', '\\'));
            }
            exec.Add(runner);
            exec.Add(arguments.Command);
            exec.Add(Option(RunnerProtocol.Options.Assembly));
            exec.Add(assembly);
            if (!string.IsNullOrWhiteSpace(arguments.Context))
            {
                exec.Add(Option(RunnerProtocol.Options.Context));
                exec.Add(arguments.Context!);
            }
            exec.AddRange(arguments.RunnerOptions);
            // The runner starts in the caller's directory, not the project's: the snapshot belongs next to the migrations.
            if (arguments.Command == RunnerProtocol.Commands.Stats && !arguments.RunnerOptions.Contains(Option(RunnerProtocol.Options.Output)))
            {
                exec.Add(Option(RunnerProtocol.Options.Output));
                exec.Add(Path.Combine(project.ProjectDirectory, StatsFileName));
            }
            // Plan and verify read the committed snapshot from the same place, when there is one.
            string snapshot = Path.Combine(project.ProjectDirectory, StatsFileName);
            if (RunnerProtocol.CommandOptions.Takes(arguments.Command, RunnerProtocol.Options.Statistics) && !arguments.RunnerOptions.Contains(Option(RunnerProtocol.Options.Statistics)) && File.Exists(snapshot))
            {
                exec.Add(Option(RunnerProtocol.Options.Statistics));
                exec.Add(snapshot);
            }
            return exec;
        }

        private static string Option(string name) => RunnerProtocol.OptionPrefix + name;
    }
}
