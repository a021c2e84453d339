using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SafeMigrations.Engine.Postgres;
using SafeMigrations.Engine.Verifying;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Verifying
{
    /// <summary>
    /// Verify without a connection: a throwaway cluster that is always removed — after success, after a failure, after
    /// cancellation in process, and after Ctrl-C (SIGINT) of the runner process. In the postgres collection only so
    /// that it does not compete with the other database tests for the CPU.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class VerifyCleanupTests : IDisposable
    {
        private readonly ITestOutputHelper _output;
        private readonly string _base;

        public VerifyCleanupTests(ITestOutputHelper output)
        {
            _output = output;
            // World-traversable, so the postgres user can reach it when the tests run as root.
            _base = Path.Combine("/tmp", "sm-verify-clusters-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(_base);
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_base, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private string[] Clusters() => Directory.GetDirectories(_base, EphemeralPostgres.DirectoryPrefix + "*");

        private VerifyOptions Options(System.Reflection.Assembly assembly, string? context, VerifyTests.CollectingLog log) => new VerifyOptions
        {
            Assembly = assembly,
            ContextName = context,
            Ephemeral = new EphemeralPostgresOptions { BaseDirectory = _base },
            Log = log,
            LockBudget = VerifyTests.SafeSampleLockBudget,
        };

        [Fact]
        public async Task Throwaway_cluster_is_removed_after_success_failure_and_cancellation()
        {
            var log = new VerifyTests.CollectingLog(_output);
            VerifyOptions success = Options(typeof(Shop.ShopContext).Assembly, null, log);
            success.Target = "AddProductDetails";
            Assert.True((await MigrationVerifier.RunAsync(success)).Passed);
            Assert.Contains(log.Lines, l => l.StartsWith("info: postgres: PostgreSQL started on 127.0.0.1:"));
            Assert.Empty(Clusters());

            VerifyResult failed = await MigrationVerifier.RunAsync(Options(typeof(Shop.Unsafe.ScenarioContext).Assembly, nameof(Shop.Unsafe.RuntimeTypeChangeContext), log));
            Assert.False(failed.Passed);
            Assert.Empty(Clusters());

            using var cancellation = new CancellationTokenSource();
            var cancelled = new VerifyTests.CollectingLog(_output);
            cancelled.OnLine = line =>
            {
                // Mid-run: while the second migration's steps run, the cluster directory exists.
                if (line.Contains("20250108090000_AddProductDetails step 1 (add column \"Description\" to \"Products\"): running"))
                {
                    Assert.Single(Clusters());
                    cancellation.Cancel();
                }
            };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MigrationVerifier.RunAsync(Options(typeof(Shop.ShopContext).Assembly, null, cancelled), cancellation.Token));
            Assert.True(cancellation.IsCancellationRequested);
            Assert.Empty(Clusters());
        }

        internal static string SampleAssembly(string project)
        {
            // The sample's own bin directory: its deps.json and runtimeconfig.json are the app's dependency context.
            string testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            string configuration = Path.GetFileName(Path.GetDirectoryName(testDirectory))!;
            string repo = Path.GetFullPath(Path.Combine(testDirectory, "..", "..", "..", "..", ".."));
            return Path.Combine(repo, "samples", project, "bin", configuration, "net10.0", project + ".dll");
        }

        private Process StartRunner(string project, params string[] arguments) => StartRunner(project, false, arguments);

        private Process StartRunner(string project, bool defaultInterrupt, params string[] arguments)
        {
            string app = SampleAssembly(project);
            var start = new ProcessStartInfo(defaultInterrupt ? "env" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (defaultInterrupt)
            {
                start.ArgumentList.Add("--default-signal=INT");
                start.ArgumentList.Add("dotnet");
            }
            foreach (string argument in RunnerLaunch.ExecArguments(app).Concat(new[] { "verify", "--assembly", app }).Concat(arguments))
                start.ArgumentList.Add(argument);
            start.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
            // The throwaway cluster goes under the temp folder: this test's own.
            start.Environment["TMPDIR"] = _base;
            return Process.Start(start)!;
        }

        private static void Signal(string signal, int pid)
        {
            using Process kill = Process.Start("kill", new[] { "-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) })!;
            kill.WaitForExit();
        }

        private (int ExitCode, List<string> Lines) Run(string project, params string[] arguments)
        {
            using Process process = StartRunner(project, arguments);
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            _output.WriteLine(output);
            _output.WriteLine(error.Result);
            return (process.ExitCode, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList());
        }

        [Fact]
        public void Runner_verify_takes_the_data_change_share_and_refuses_one_outside_zero_to_one_with_SM1001()
        {
            var (exit, lines) = Run("Shop.Unsafe", "--context", "UnbatchedUpdateContext", "--data-change-share", "1.5");
            Assert.Equal(1, exit);
            Assert.Contains(lines, l => l.StartsWith("error: SM1001: --data-change-share must be a fraction of a table's rows above 0 and at most 1 (e.g. 0.5), not '1.5'", StringComparison.Ordinal));

            // In range, the share is the verifier's: the one-shot UPDATE read from the app's .sql file changes them all.
            var (unbatchedExit, unbatched) = Run("Shop.Unsafe", "--context", "UnbatchedUpdateContext", "--data-change-share", "0.9");
            Assert.Equal(1, unbatchedExit);
            Assert.Contains(unbatched, l => l.StartsWith("error: SM1015: 20250302090000_ConvertPricesToCents step 1 (sql: UPDATE \"Products\" SET \"PriceCents\"", StringComparison.Ordinal) && l.Contains("at least 90% of a pre-existing table"));
            Assert.Empty(Clusters());
        }

        [Fact]
        public async Task Runner_verify_passes_the_sample_fails_a_runtime_rewrite_and_Ctrl_C_removes_the_cluster()
        {
            Assert.True(File.Exists(RunnerLaunch.RunnerPath()), "runner not built at " + RunnerLaunch.RunnerPath());
            string report = Path.Combine(_base, "verify.md");
            string sarif = Path.Combine(_base, "verify.sarif");

            var (exit, lines) = Run("Shop", "--report", report, "--sarif", sarif, "--lock-budget", VerifyTests.SafeSampleLockBudget.TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(0, exit);
            Assert.All(lines, l => Assert.Matches("^(info|warn|error|progress): ", l));
            Assert.Contains(lines, l => l.StartsWith("info: verify passed: 7 migration(s)"));
            Assert.Contains("result: **passed**", File.ReadAllText(report));
            Assert.Empty(Clusters());

            var (unsafeExit, unsafeLines) = Run("Shop.Unsafe", "--context", "RuntimeTypeChangeContext");
            Assert.Equal(1, unsafeExit);
            Assert.Contains(unsafeLines, l => l.StartsWith("error: SM1011: 20250302090000_WidenPrice step 1 (sql: ALTER TABLE \"Products\" ALTER COLUMN \"PriceCents\" TYPE big"));
            Assert.Empty(Clusters());

            // A process started in the background of a non-interactive shell inherits SIGINT as ignored (so does all it starts,
            // down to this runner); Ctrl-C is what is tested, so the runner gets the default disposition back.
            using Process process = StartRunner("Shop", defaultInterrupt: true);
            Task<string> error = process.StandardError.ReadToEndAsync();
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            // Interrupt once its throwaway server runs. Reading the runner's output to find that moment raced: on a loaded
            // machine the lines reached the test after the runner had finished, and the SIGINT then hit a finished process.
            // So watch the cluster directory, and freeze the runner (SIGSTOP) before checking that it is still running.
            var clock = Stopwatch.StartNew();
            // postmaster.opts: written by the postmaster only (initdb's single-user backends write postmaster.pid too).
            while (!Clusters().Any(c => File.Exists(Path.Combine(c, "data", "postmaster.opts"))) && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
                await Task.Delay(10);
            Signal("STOP", process.Id); // env has exec'd dotnet: same pid
            Assert.False(process.HasExited, "the runner finished before the test could interrupt it");
            Assert.Single(Clusters());
            Signal("INT", process.Id); // Ctrl-C, delivered when it runs again
            Signal("CONT", process.Id);
            var seen = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
            Assert.True(process.WaitForExit(60_000));
            _output.WriteLine(string.Join("\n", seen));
            _output.WriteLine(await error);
            Assert.NotEqual(0, process.ExitCode);
            Assert.DoesNotContain(seen, l => l.StartsWith("info: verify passed"));
            Assert.Empty(Clusters());
        }
    }
}
