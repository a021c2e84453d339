using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// The real runner, launched the way the MSBuild task launches it (dotnet exec with the test app's deps.json and
    /// runtimeconfig), with its output lines collected as they arrive so a test can wait for a point and then strike:
    /// SIGKILL the runner, or SIGKILL the whole process group of a wrapper shell standing in for the build.
    /// </summary>
    internal sealed class RunnerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ITestOutputHelper _output;
        private readonly string _name;
        private readonly List<string> _lines = new();
        private readonly TaskCompletionSource<bool> _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private RunnerProcess(Process process, ITestOutputHelper output, string name)
        {
            _process = process;
            _output = output;
            _name = name;
        }

        /// <summary>Pid of the launched process: the runner itself, or the wrapper shell in a process group.</summary>
        public int Pid => _process.Id;

        /// <summary>Pid of the runner when started under a wrapper shell (reported by the wrapper), else <see cref="Pid"/>.</summary>
        public int? RunnerPid { get; private set; }

        /// <summary>Process group id when started with <see cref="StartInProcessGroup"/>.</summary>
        public int? ProcessGroup { get; private set; }

        /// <summary>Whether the launched process has exited.</summary>
        public bool HasExited => _process.HasExited;

        /// <summary>The output lines so far (stdout and stderr, in arrival order).</summary>
        public string[] Lines
        {
            get
            {
                lock (_lines)
                    return _lines.ToArray();
            }
        }

        /// <summary>Starts <c>runner &lt;command&gt; --assembly &lt;test app&gt; --context &lt;context&gt; --connection &lt;...&gt; &lt;extra&gt;</c>.</summary>
        public static RunnerProcess Start(ITestOutputHelper output, string name, string context, string command, string connection, params string[] extra)
            => Launch(output, name, RunnerCommandLine(context, command, connection, extra), wrapped: false);

        /// <summary>
        /// Starts the runner as the child of a shell in a new session and process group (as a CI job's build would
        /// be), so that <see cref="KillProcessGroup"/> kills the "build" and the runner at once.
        /// </summary>
        public static RunnerProcess StartInProcessGroup(ITestOutputHelper output, string name, string context, string command, string connection, params string[] extra)
        {
            // $$ is the session (and group) leader's pid whether setsid forked or not; the runner runs as a child.
            var script = new List<string> { "-c", "echo \"wrapper: group $$\"; \"$@\" & echo \"wrapper: runner $!\"; wait $!; echo \"wrapper: runner exited $?\"", "sh" };
            script.AddRange(RunnerCommandLine(context, command, connection, extra));
            return Launch(output, name, new[] { "setsid", "sh" }.Concat(script).ToList(), wrapped: true);
        }

        /// <summary>
        /// Starts the test assembly as an app that calls the in-app API on PaymentsContext (<see cref="Trust.InAppHostProgram"/>),
        /// with the connection string in its environment as an app gets it.
        /// </summary>
        public static RunnerProcess StartInAppHost(ITestOutputHelper output, string name, string connection, params string[] arguments)
        {
            var commandLine = new List<string> { "dotnet", typeof(Trust.InAppHostProgram).Assembly.Location, "inapp" };
            commandLine.AddRange(arguments);
            return Launch(output, name, commandLine, wrapped: false, new Dictionary<string, string> { [Trust.InAppHostProgram.ConnectionVariable] = connection });
        }

        private static List<string> RunnerCommandLine(string context, string command, string connection, string[] extra)
        {
            string app = typeof(TestApp.ShopContext).Assembly.Location;
            var arguments = new List<string> { "dotnet" };
            arguments.AddRange(RunnerLaunch.ExecArguments(app));
            arguments.AddRange(new[]
            {
                command, "--assembly", app, "--context", context, "--connection", connection,
            });
            arguments.AddRange(extra);
            return arguments;
        }

        private static RunnerProcess Launch(ITestOutputHelper output, string name, List<string> commandLine, bool wrapped, Dictionary<string, string>? environment = null)
        {
            if (!File.Exists(RunnerLaunch.RunnerPath()))
                throw new InvalidOperationException("runner not built at " + RunnerLaunch.RunnerPath());
            var start = new ProcessStartInfo(commandLine[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in commandLine.Skip(1))
                start.ArgumentList.Add(argument);
            start.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
            foreach (KeyValuePair<string, string> variable in environment ?? new Dictionary<string, string>())
                start.Environment[variable.Key] = variable.Value;
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var runner = new RunnerProcess(process, output, name);
            process.OutputDataReceived += (_, e) => runner.Receive(e.Data, runner._outputClosed);
            process.ErrorDataReceived += (_, e) => runner.Receive(e.Data, runner._errorClosed);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!wrapped)
                runner.RunnerPid = process.Id;
            runner.Log($"started pid {process.Id}" + (wrapped ? " (wrapper shell in its own process group)" : string.Empty));
            return runner;
        }

        private void Receive(string? line, TaskCompletionSource<bool> closed)
        {
            if (line is null)
            {
                closed.TrySetResult(true);
                return;
            }
            if (line.StartsWith("wrapper: group ", StringComparison.Ordinal))
                ProcessGroup = int.Parse(line.Substring("wrapper: group ".Length), System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("wrapper: runner ", StringComparison.Ordinal) && int.TryParse(line.Substring("wrapper: runner ".Length), out int pid))
            {
                RunnerPid = pid;
                RunnerStartTime = StartTime(pid);
            }
            lock (_lines)
                _lines.Add(line);
            Log(line);
        }

        private void Log(string line)
        {
            try
            {
                _output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] {_name}: {line}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; late lines of a killed process have nowhere to go.
            }
        }

        /// <summary>Waits for a line matching <paramref name="match"/>; null when the process ended (all output read) without one.</summary>
        public async Task<string?> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                // Read before the lines: output that closed after them may have brought the line since.
                bool ended = _outputClosed.Task.IsCompleted && _process.HasExited;
                string? found = Lines.FirstOrDefault(match);
                if (found is not null)
                    return found;
                if (ended)
                    return null;
                if (clock.Elapsed > timeout)
                    throw new TimeoutException($"{_name}: no matching line within {timeout.TotalSeconds:0} s; last lines:\n" + string.Join("\n", Lines.TakeLast(10)));
                await Task.Delay(10);
            }
        }

        /// <summary>Why a run ended before the test could act: its exit code and last lines, once its output is drained.</summary>
        public async Task<string> EndedEarlyAsync()
        {
            int code = await WaitForExitAsync(TimeSpan.FromSeconds(30));
            return $"{_name} ended early with exit code {code}; last lines:\n" + string.Join("\n", Lines.TakeLast(10));
        }

        /// <summary>Waits for the launched process to exit and its output to be read; its exit code.</summary>
        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
                await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{_name}: still running after {timeout.TotalSeconds:0} s; last lines:\n" + string.Join("\n", Lines.TakeLast(10)));
            }
            Log($"exited with code {_process.ExitCode}");
            return _process.ExitCode;
        }

        /// <summary>SIGKILL of the launched process only (no chance to clean up, as after an OOM kill or a power cut of the host).</summary>
        public void Kill()
        {
            Log("SIGKILL");
            _process.Kill(entireProcessTree: false);
        }

        /// <summary>SIGKILL of every process in the wrapper's process group: the "build" and the runner it started.</summary>
        public void KillProcessGroup()
        {
            int group = ProcessGroup ?? throw new InvalidOperationException("not started in a process group, or the wrapper has not reported it yet");
            Log($"SIGKILL process group {group}");
            using Process kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-KILL", "--", "-" + group }, UseShellExecute = false })!;
            kill.WaitForExit();
            if (kill.ExitCode != 0)
                throw new InvalidOperationException($"kill -KILL -- -{group} failed with exit code {kill.ExitCode}");
        }

        /// <summary>Start time (clock ticks since boot) of the runner reported by the wrapper, telling it from a later process that reuses its pid.</summary>
        public long? RunnerStartTime { get; private set; }

        /// <summary>Whether the runner reported by the wrapper still exists (a zombie, or another process with its pid, counts as gone).</summary>
        public bool RunnerIsAlive()
        {
            if (RunnerPid is not int pid)
                throw new InvalidOperationException("the wrapper has not reported the runner's pid");
            string[]? fields = StatFields(pid);
            return fields is not null && fields[0] != "Z" && StartTime(pid) == RunnerStartTime;
        }

        /// <summary>
        /// Waits until the runner reported by the wrapper is gone. SIGKILL is delivered at once but a multi-threaded
        /// process takes a moment to be torn down, so the wrapper can be reaped while the runner still shows as running.
        /// </summary>
        public async Task<bool> WaitForRunnerGoneAsync(TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (RunnerIsAlive())
            {
                if (clock.Elapsed > timeout)
                    return false;
                await Task.Delay(50);
            }
            return true;
        }

        /// <summary>Fields of /proc/&lt;pid&gt;/stat after "pid (comm)": state first, start time 20th; null when there is no such process.</summary>
        private static string[]? StatFields(int pid)
        {
            try
            {
                string text = File.ReadAllText($"/proc/{pid}/stat");
                return text.Substring(text.LastIndexOf(')') + 2).Split(' ');
            }
            catch (IOException)
            {
                return null;
            }
        }

        private static long? StartTime(int pid)
            => StatFields(pid) is string[] fields && long.TryParse(fields[19], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long ticks) ? ticks : null;

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                try
                {
                    if (ProcessGroup is int)
                        KillProcessGroup();
                    else
                        _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
                catch (InvalidOperationException)
                {
                    // Exited meanwhile.
                }
            }
            _process.Dispose();
        }
    }
}
