using System;
using System.IO;
using SafeMigrations.Testing;

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
    }
}
