using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SafeMigrations.Testing;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>How the tests start the real runner: the way the MSBuild task does, in the app's dependency context.</summary>
    internal static class RunnerLaunch
    {
        /// <summary>The runner built next to the tests: tests/.../bin/&lt;Configuration&gt;/net10.0 → src/SafeMigrations.Runner/bin/&lt;Configuration&gt;/net8.0.</summary>
        public static string RunnerPath()
        {
            string testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            string configuration = Path.GetFileName(Path.GetDirectoryName(testDirectory))!;
            return Path.Combine(RepositoryPaths.Root, "src", "SafeMigrations.Runner", "bin", configuration, "net8.0", "SafeMigrations.Runner.dll");
        }

        /// <summary>
        /// The arguments of <c>dotnet exec --depsfile app.deps.json --runtimeconfig app.runtimeconfig.json runner.dll</c>
        /// for the app assembly at <paramref name="app"/>, so EF Core and Npgsql load from the app, not the runner.
        /// </summary>
        public static string[] ExecArguments(string app)
        {
            string baseName = Path.Combine(Path.GetDirectoryName(app)!, Path.GetFileNameWithoutExtension(app));
            return new[] { "exec", "--depsfile", baseName + ".deps.json", "--runtimeconfig", baseName + ".runtimeconfig.json", RunnerPath() };
        }

        /// <summary>Runs <c>runner &lt;command&gt; --assembly app --context name ...</c> to its end; the exit code and the output lines.</summary>
        public static (int ExitCode, string[] Lines) Run(ITestOutputHelper output, Type context, params string[] arguments)
            => RunWithVariable(output, context, null, arguments);

        /// <summary>As <see cref="Run(ITestOutputHelper, Type, string[])"/>, with <paramref name="connectionVariable"/> in SAFEMIGRATIONS_CONNECTION.</summary>
        public static (int ExitCode, string[] Lines) RunWithVariable(ITestOutputHelper output, Type context, string? connectionVariable, params string[] arguments)
        {
            string app = context.Assembly.Location;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            // stats loads no DbContext, so it refuses --context.
            string[] appOptions = arguments.FirstOrDefault() == "stats" ? new[] { "--assembly", app } : new[] { "--assembly", app, "--context", context.Name };
            foreach (string argument in ExecArguments(app)
                         .Concat(arguments.Take(1)).Concat(appOptions).Concat(arguments.Skip(1)))
                start.ArgumentList.Add(argument);
            start.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
            if (connectionVariable is not null)
                start.Environment["SAFEMIGRATIONS_CONNECTION"] = connectionVariable;
            using Process process = Process.Start(start)!;
            Task<string> error = process.StandardError.ReadToEndAsync();
            string text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            output.WriteLine(text);
            output.WriteLine(error.Result);
            // Standard error last (the runner writes nothing there; a crash would).
            return (process.ExitCode, (text + error.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray());
        }
    }
}
