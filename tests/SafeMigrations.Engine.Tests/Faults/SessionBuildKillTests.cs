using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// The real thing a CI timeout kills: <c>dotnet build -t:SafeMigrationsApply</c> on the sample, SIGKILLed while the
    /// runner it started works. The task runs either in the build process itself (the runner sees its parent die) or
    /// in an MSBuild worker node, which cancels the task when the build that owns it goes away (the task then asks
    /// the runner to stop cleanly instead of letting ToolTask kill it). Either way: a clean stop with a report.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class SessionBuildKillTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public SessionBuildKillTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task Killing_dotnet_build_stops_the_runner_cleanly_with_a_report(bool workerNode)
        {
            if (OperatingSystem.IsWindows())
                return; // SIGKILL semantics: the POSIX path
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            // Keeps the runner busy at its start: an earlier executor's statement that still runs (it waits for it).
            int gonePid;
            using (Process exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
            {
                exited.WaitForExit();
                gonePid = exited.Id;
            }
            await using var leftover = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = $"SafeMigrations executor pid {gonePid} on {Environment.MachineName}", Pooling = false }.ConnectionString);
            await leftover.OpenAsync();
            var sleep = new NpgsqlCommand("select pg_sleep(300)", leftover) { CommandTimeout = 0 };
            Task sleeping = sleep.ExecuteNonQueryAsync();

            string report = Path.Combine(Path.GetTempPath(), "sm-build-kill-" + Guid.NewGuid().ToString("N") + ".md");
            string testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            string configuration = Path.GetFileName(Path.GetDirectoryName(testDirectory))!;
            string repo = Path.GetFullPath(Path.Combine(testDirectory, "..", "..", "..", "..", ".."));
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in new[]
                     {
                         "build", Path.Combine(repo, "samples", "Shop", "Shop.csproj"), "-c", configuration, "-t:SafeMigrationsApply", "--no-restore",
                         "-p:BuildProjectReferences=false", "-nodeReuse:false", "-tl:off", "-p:UseSharedCompilation=false", "-p:SafeMigrationsReport=" + report,
                         "-p:SafeMigrationsStatementTimeout=60000",
                     })
                start.ArgumentList.Add(argument);
            start.Environment["SAFEMIGRATIONS_CONNECTION"] = database.ConnectionString;
            if (workerNode)
                start.Environment["MSBUILDNOINPROCNODE"] = "1"; // every project (and so the task) in a worker node
            try
            {
                using Process build = Process.Start(start)!;
                var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
                build.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
                build.BeginOutputReadLine();
                _ = build.StandardError.ReadToEndAsync();
                var clock = Stopwatch.StartNew();
                while (!lines.Any(l => l.Contains("waiting for backend pid " + leftover.ProcessID)))
                {
                    Assert.False(build.HasExited || clock.Elapsed > TimeSpan.FromSeconds(90), "the runner never started waiting:\n" + string.Join("\n", lines));
                    await Task.Delay(100);
                }
                Assert.Equal(1L, await ExecutorSessionsAsync(database, leftover.ProcessID));

                build.Kill(entireProcessTree: false);
                var stopped = Stopwatch.StartNew();
                while (!(File.Exists(report) && await ExecutorSessionsAsync(database, leftover.ProcessID) == 0))
                {
                    Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(20), "the runner did not stop cleanly after the build was killed:\n" + string.Join("\n", lines));
                    await Task.Delay(100);
                }
                _output.WriteLine($"{(workerNode ? "worker node" : "in-process")}: runner stopped with its report {stopped.ElapsedMilliseconds} ms after dotnet build was killed");
                await Task.Delay(200);
                string markdown = File.ReadAllText(report);
                _output.WriteLine(markdown);
                Assert.Contains("| result | **failed** |", markdown);
                // Nothing ran: the run stopped while it waited.
                Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from pg_tables where tablename = '__EFMigrationsHistory'"));
            }
            finally
            {
                File.Delete(report);
                await database.ExecuteAsync($"select pg_cancel_backend({leftover.ProcessID})");
                await Assert.ThrowsAnyAsync<PostgresException>(() => sleeping);
            }
        }

        private static Task<long> ExecutorSessionsAsync(TestDatabase database, int except)
            => database.ScalarAsync<long>($"select count(*) from pg_stat_activity where datname = '{database.Name}' and application_name like 'SafeMigrations executor%' and pid <> {except}");
    }
}
