using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace SafeMigrations.Engine.Tests.Verifying
{
    /// <summary>
    /// The command a newcomer runs first: <c>dotnet build samples/Shop -t:SafeMigrationsVerify</c> through the real
    /// MSBuild targets and task, on a throwaway PostgreSQL the runner starts itself.
    /// </summary>
    public sealed class VerifyTargetTests
    {
        [Fact]
        public async Task Verify_target_passes_on_the_safe_sample_and_writes_both_reports()
        {
            string report = Path.Combine(Path.GetTempPath(), "sm-verify-" + Guid.NewGuid().ToString("N") + ".md");
            string sarif = Path.ChangeExtension(report, ".sarif");
            try
            {
                var (exitCode, output) = await BuildAsync("samples/Shop/Shop.csproj", "-p:SafeMigrationsReport=" + report, "-p:SafeMigrationsSarif=" + sarif, "-p:SafeMigrationsLockBudget=" + VerifyTests.SafeSampleLockBudget.TotalMilliseconds);
                Assert.True(exitCode == 0, output);
                Assert.Contains("verify passed", output, StringComparison.Ordinal);
                // Per-step detail stays out of the default build output (-v:n shows it) and is always in the report.
                Assert.DoesNotMatch(@"\d{14}_\w+ step \d+ \(", output);
                Assert.Contains("result: **passed**", File.ReadAllText(report), StringComparison.Ordinal);
                Assert.Matches(@"\n\| 1 [^|]+ \| \w+ \| [^|]+ \|", File.ReadAllText(report));
                Assert.Contains("\"version\": \"2.1.0\"", File.ReadAllText(sarif), StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(report);
                File.Delete(sarif);
            }
        }

        [Fact]
        public async Task Verify_target_fails_the_build_on_a_rewrite_built_at_run_time_naming_the_step()
        {
            var (exitCode, output) = await BuildAsync("samples/Shop.Unsafe/Shop.Unsafe.csproj", "-p:SafeMigrationsContext=RuntimeTypeChangeContext");
            Assert.True(exitCode != 0, output);
            Assert.Contains("error SM1011: 20250302090000_WidenPrice step 1", output, StringComparison.Ordinal);
        }

        private static async Task<(int ExitCode, string Output)> BuildAsync(string project, params string[] properties)
        {
            string root = SafeMigrations.Testing.RepositoryPaths.Root;
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { "build", Path.Combine(root, project), "-t:SafeMigrationsVerify", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off" })
            {
                start.ArgumentList.Add(argument);
            }

            foreach (string property in properties)
            {
                start.ArgumentList.Add(property);
            }

            // A connection inherited from the environment would verify against that server instead of a throwaway one.
            start.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
            using var process = Process.Start(start)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromMinutes(8));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
