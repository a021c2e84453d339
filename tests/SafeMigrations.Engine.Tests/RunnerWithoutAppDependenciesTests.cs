using System;
using System.Diagnostics;
using System.Linq;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// `dotnet SafeMigrations.Runner.dll ...` started without the app's deps.json cannot load EF Core: one coded line that
    /// says how to start it, not an unhandled-exception stack trace. No database is touched (none is given).
    /// </summary>
    public sealed class RunnerWithoutAppDependenciesTests
    {
        private readonly ITestOutputHelper _output;

        public RunnerWithoutAppDependenciesTests(ITestOutputHelper output) => _output = output;

        [Theory]
        [InlineData("status")]
        [InlineData("apply")]
        [InlineData("verify")]
        public void Started_without_the_apps_dependencies_the_runner_says_how_to_start_it(string command)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in new[] { RunnerLaunch.RunnerPath(), command, "--assembly", typeof(TestApp.AccountsContext).Assembly.Location })
                start.ArgumentList.Add(argument);
            start.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
            using Process process = Process.Start(start)!;
            string error = process.StandardError.ReadToEnd();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            _output.WriteLine(output + error);

            Assert.Equal(1, process.ExitCode);
            Assert.Equal(string.Empty, error);
            string line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: SM1001: cannot load Microsoft.EntityFrameworkCore", line, StringComparison.Ordinal);
            Assert.Contains("dotnet exec --depsfile <app>.deps.json", line, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", output + error, StringComparison.Ordinal);
        }
    }
}
