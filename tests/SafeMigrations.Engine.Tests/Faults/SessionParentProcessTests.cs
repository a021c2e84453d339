using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// The runner as a CI job runs it, under a parent that a timeout kills: it must stop cleanly (state recorded, SM1009,
    /// report written) instead of finishing the migration headless, and stop the same way on SIGTERM.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class SessionParentProcessTests
    {
        private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(15);

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public SessionParentProcessTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Killing_the_parent_or_sending_SIGTERM_stops_the_runner_cleanly_and_a_rerun_finishes()
        {
            if (OperatingSystem.IsWindows())
                return; // bash, SIGKILL and SIGTERM: the POSIX path
            await using TestDatabase database = await SessionFaultDatabase.CreateAsync(_server, _output);
            string? expected = await SessionFaultDatabase.ExpectedAfterBackfillAsync(database);
            // Slow batches (the adaptive batch size shrinks to its minimum): the backfill runs for tens of seconds.
            await database.ExecuteAsync(@"
create function slow_batch() returns trigger language plpgsql as $$ begin perform pg_sleep(0.2); return null; end $$;
create trigger slow_batch before update on customers for each statement execute function slow_batch();");
            // A bad timeout is a configuration error, before anything connects.
            var bad = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in RunnerCommandLine(database.ConnectionString).Skip(1).Append("--statement-timeout").Append("5s"))
                bad.ArgumentList.Add(argument);
            using (Process refused = Process.Start(bad)!)
            {
                string text = await refused.StandardOutput.ReadToEndAsync();
                refused.WaitForExit();
                Assert.Equal(1, refused.ExitCode);
                Assert.Contains("error: SM1001: --statement-timeout must be a positive number of milliseconds, not '5s'.", text);
            }

            string work = Path.Combine(Path.GetTempPath(), "sm-parent-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(work);
            try
            {
                // 1. A bash wrapper stands in for `dotnet build`: it starts the runner the way the MSBuild task does
                //    (with its own pid in SAFEMIGRATIONS_PARENT_PID), and is killed outright, as a CI timeout does.
                string output = Path.Combine(work, "out.txt");
                string pidFile = Path.Combine(work, "runner.pid");
                string report = Path.Combine(work, "report.md");
                var wrapper = new ProcessStartInfo("bash") { UseShellExecute = false };
                wrapper.ArgumentList.Add("-c");
                wrapper.ArgumentList.Add("export SAFEMIGRATIONS_PARENT_PID=$$; \"$0\" \"$@\" > \"$SM_OUT\" 2>&1 & echo $! > \"$SM_PID\"; wait");
                foreach (string argument in RunnerCommandLine(database.ConnectionString, "--report", report))
                    wrapper.ArgumentList.Add(argument);
                wrapper.Environment["SM_OUT"] = output;
                wrapper.Environment["SM_PID"] = pidFile;
                wrapper.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
                using Process parent = Process.Start(wrapper)!;
                await WaitForAsync(() => File.Exists(output) && File.ReadAllText(output).Contains("progress: 20240102000000_Hardening step"), "backfill progress", output);
                int runnerPid = int.Parse(File.ReadAllText(pidFile).Trim());

                parent.Kill(entireProcessTree: false);
                var clock = Stopwatch.StartNew();
                await WaitForAsync(() => !IsRunning(runnerPid), "the runner to exit after its parent was killed", output);
                _output.WriteLine($"runner stopped {clock.ElapsedMilliseconds} ms after its parent was killed");
                Assert.True(clock.Elapsed < StopBound, $"the runner took {clock.Elapsed} to stop");
                string[] lines = File.ReadAllLines(output);
                Assert.Contains(lines, l => l.StartsWith($"progress: stopping: the process that started the runner (pid {parent.Id}) is gone"));
                Assert.Contains(lines, l => l.StartsWith("error: SM1009: "));
                Assert.True(File.Exists(report), "no report written");
                string markdown = File.ReadAllText(report);
                _output.WriteLine(markdown);
                Assert.Contains("| result | **failed** |", markdown);
                Assert.Contains("fill NULLs of \"email\" in batches", markdown);
                Assert.Contains("Failed: cancelled", markdown);
                // State recorded: the backfill stopped as cancelled, with the position of its last committed batch.
                Assert.Equal("failed|cancelled|true", await database.ScalarAsync<string>("select status || '|' || error || '|' || (position is not null)::text from safemigrations.state where step_kind = 'backfill'"));
                long left = await database.ScalarAsync<long>("select count(*) from customers where email is null");
                Assert.True(left > 0, "the backfill finished instead of stopping");

                // 2. SIGTERM (what a CI timeout sends first) stops it the same clean way.
                var runner = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (string argument in RunnerCommandLine(database.ConnectionString).Skip(1))
                    runner.ArgumentList.Add(argument);
                runner.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
                using (Process second = Process.Start(runner)!)
                {
                    var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
                    second.OutputDataReceived += (_, e) => { if (e.Data is not null) seen.Enqueue(e.Data); };
                    second.BeginOutputReadLine();
                    Task<string> errors = second.StandardError.ReadToEndAsync();
                    await WaitForAsync(() => seen.Any(l => l.Contains("resuming after key")), "the rerun to resume the backfill", null);
                    using (Process kill = Process.Start("kill", $"-TERM {second.Id}")!)
                        kill.WaitForExit();
                    Assert.True(second.WaitForExit((int)StopBound.TotalMilliseconds), "the runner did not stop on SIGTERM");
                    second.WaitForExit();
                    _output.WriteLine(string.Join("\n", seen) + await errors);
                    Assert.Equal(1, second.ExitCode);
                    Assert.Contains(seen, l => l.StartsWith("progress: stopping: SIGTERM received"));
                    Assert.Contains(seen, l => l.StartsWith("error: SM1009: "));
                }
                Assert.Equal("failed|cancelled", await database.ScalarAsync<string>("select status || '|' || error from safemigrations.state where step_kind = 'backfill'"));

                // 3. A rerun at full speed completes; no row lost or wrong.
                await database.ExecuteAsync("drop trigger slow_batch on customers");
                var final = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (string argument in RunnerCommandLine(database.ConnectionString).Skip(1))
                    final.ArgumentList.Add(argument);
                final.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
                using (Process third = Process.Start(final)!)
                {
                    Task<string> errors = third.StandardError.ReadToEndAsync();
                    string text = await third.StandardOutput.ReadToEndAsync();
                    third.WaitForExit();
                    _output.WriteLine(text + await errors);
                    Assert.Equal(0, third.ExitCode);
                }
                Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
                Assert.Equal(expected, await SessionFaultDatabase.ActualAsync(database));
                Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" like '%Hardening'"));
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        }

        /// <summary><c>dotnet exec</c> of the runner in the test app's dependency context, as the MSBuild task runs it.</summary>
        private static string[] RunnerCommandLine(string connectionString, params string[] extra)
        {
            string app = typeof(TestApp.ShopContext).Assembly.Location;
            return new[] { "dotnet" }.Concat(RunnerLaunch.ExecArguments(app)).Concat(new[] { "apply", "--assembly", app, "--context", "ShopContext", "--target", "Hardening", "--connection", connectionString, "--statement-timeout", "60000" })
                .Concat(extra).ToArray();
        }

        private static bool IsRunning(int pid)
        {
            string stat = $"/proc/{pid}/stat";
            try
            {
                string text = File.ReadAllText(stat);
                char state = text[text.LastIndexOf(')') + 2];
                return state != 'Z' && state != 'X';
            }
            catch (IOException)
            {
                return false;
            }
        }

        private async Task WaitForAsync(Func<bool> condition, string what, string? outputFile)
        {
            var clock = Stopwatch.StartNew();
            while (!condition())
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    if (outputFile is not null && File.Exists(outputFile))
                        _output.WriteLine(File.ReadAllText(outputFile));
                    Assert.Fail("timed out waiting for " + what);
                }
                await Task.Delay(100);
            }
        }
    }
}
