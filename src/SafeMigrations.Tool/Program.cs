using System;

namespace SafeMigrations.Tool
{
    /// <summary><c>dotnet safemigrations &lt;command&gt;</c>: builds the project, then runs the engine on its migrations.</summary>
    public static class Program
    {
        /// <summary>Exit code 0 on success, 1 on failure (every failure printed as one coded <c>error:</c> line).</summary>
        public static int Main(string[] args)
        {
            // Ctrl+C reaches the runner too (same process group): it stops cleanly, records SM1009, and we wait for it.
            Console.CancelKeyPress += (_, e) => e.Cancel = true;
            try
            {
                ToolArguments arguments = ToolArguments.Parse(args);
                if (arguments.Help)
                {
                    Console.Out.WriteLine(ToolArguments.Usage);
                    return args.Length == 0 ? 1 : 0;
                }

                string projectFile = ProjectMetadata.FindProjectFile(arguments.Project, "--project");
                string startupFile = arguments.StartupProject is null ? projectFile : ProjectMetadata.FindProjectFile(arguments.StartupProject, "--startup-project");
                if (!arguments.NoBuild)
                    Build(startupFile, arguments);
                ProjectMetadata startup = ProjectMetadata.Read(startupFile, arguments.Configuration, arguments.Framework, arguments.Verbose);
                ProjectMetadata project = string.Equals(startupFile, projectFile, StringComparison.Ordinal)
                    ? startup
                    : ProjectMetadata.Read(projectFile, arguments.Configuration, arguments.Framework, arguments.Verbose);

                if (arguments.Command == ToolArguments.Bundle)
                    return BundleCommand.Run(arguments, project, startup);
                GitHubActions? github = GitHubActions.FromEnvironment(project.ProjectDirectory, Console.Out);
                string? summaryReport = github?.PrepareReport(arguments.Command, arguments.RunnerOptions);
                var output = new RunnerOutput(arguments.Command, arguments.Verbose, RunnerOutput.IsInteractiveTerminal(), Console.Out, github);
                int exitCode = RunnerLaunch.Run(arguments, project, startup, output);
                github?.AppendSummary(summaryReport);
                return exitCode;
            }
            catch (ToolException exception)
            {
                Console.Out.WriteLine(RunnerProtocol.Lines.Error + RunnerProtocol.Lines.Separator + exception.Code + RunnerProtocol.Lines.Separator + exception.Message);
                return 1;
            }
        }

        /// <summary>Builds the startup project (and so the migrations project it references), quietly unless it fails.</summary>
        private static void Build(string projectFile, ToolArguments arguments)
        {
            Console.Out.WriteLine($"info: building {projectFile}");
            var build = new System.Collections.Generic.List<string> { "build", projectFile, "-nologo", "-v:q", "-clp:NoSummary" };
            build.AddRange(ProjectMetadata.GlobalProperties(arguments.Configuration, arguments.Framework));
            (int exitCode, string output) = DotNetProcess.Capture(build, arguments.Verbose);
            if (exitCode != 0 || arguments.Verbose)
                Console.Out.Write(output);
            if (exitCode != 0)
                throw new ToolException(ToolException.Configuration, $"the build of {projectFile} failed (exit code {exitCode}); fix the errors above and run again.");
        }
    }
}
