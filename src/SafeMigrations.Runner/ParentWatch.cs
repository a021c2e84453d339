using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using SafeMigrations.Engine;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// Stops the runner when the process that started it goes away. A CI timeout kills <c>dotnet build</c> (SIGTERM or
    /// SIGKILL) but not the runner it started, which would otherwise be reparented and finish the migration headless,
    /// with no one reading its output. The MSBuild task puts its own process id into
    /// <see cref="ParentPidVariable"/>; a wrapper script can do the same (<c>SAFEMIGRATIONS_PARENT_PID=$$</c>). Without
    /// the variable nothing is watched (a runner started with nohup keeps running). The task also names a file in
    /// <see cref="StopFileVariable"/> that it creates when the build is cancelled: MSBuild's own cancellation of a tool
    /// kills it outright, so the task asks for a clean stop this way first.
    /// </summary>
    internal sealed class ParentWatch : IDisposable
    {
        public const string ParentPidVariable = RunnerProtocol.ParentPidVariable;

        public const string StopFileVariable = RunnerProtocol.StopFileVariable;

        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        private ParentWatch(int? parentPid, string? stopFile)
        {
            ParentPid = parentPid;
            StopFile = stopFile;
        }

        /// <summary>The watched process id, if any.</summary>
        public int? ParentPid { get; }

        /// <summary>The file whose appearance means stop, if any.</summary>
        public string? StopFile { get; }

        /// <summary>
        /// Starts watching the process named by <see cref="ParentPidVariable"/> and the file named by
        /// <see cref="StopFileVariable"/>; <paramref name="onStop"/> runs once, with the reason, when the process is
        /// gone or the file appears. Null when neither variable is set.
        /// </summary>
        public static ParentWatch? Start(Action<string> onStop)
        {
            string? value = Environment.GetEnvironmentVariable(ParentPidVariable);
            int? pid = !string.IsNullOrWhiteSpace(value) && int.TryParse(value!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed > 0 ? parsed : null;
            string? stopFile = Environment.GetEnvironmentVariable(StopFileVariable);
            if (string.IsNullOrWhiteSpace(stopFile))
                stopFile = null;
            if (pid is null && stopFile is null)
                return null;
            var watch = new ParentWatch(pid, stopFile);
            Action<int> onGone = gone => onStop($"the process that started the runner (pid {gone}) is gone");
            if (OperatingSystem.IsWindows() && pid is int windowsParent)
                _ = watch.WaitOnWindowsAsync(windowsParent, onGone);
            new Thread(() => watch.Poll(onGone, onStop)) { IsBackground = true, Name = "SafeMigrations parent watch" }.Start();
            return watch;
        }

        public void Dispose() => _stop.Cancel();

        private async Task WaitOnWindowsAsync(int parentPid, Action<int> onGone)
        {
            try
            {
                using Process parent = Process.GetProcessById(parentPid);
                await parent.WaitForExitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception exception) when (exception is ArgumentException || exception is InvalidOperationException)
            {
                // No such process: already gone.
            }
            onGone(parentPid);
        }

        private void Poll(Action<int> onGone, Action<string> onStop)
        {
            // When the watched process is our parent, its death shows at once as a new parent (init or a subreaper),
            // even while it lingers as an unreaped zombie. (Windows waits on the process handle instead.)
            bool watchPid = ParentPid is not null && !OperatingSystem.IsWindows();
            int parentAtStart = watchPid ? GetParentProcessId() : 0;
            bool watchingParent = parentAtStart == ParentPid;
            while (!_stop.IsCancellationRequested)
            {
                if (StopFile is not null && File.Exists(StopFile))
                {
                    onStop("the build was cancelled");
                    return;
                }
                bool gone = watchPid && (watchingParent ? GetParentProcessId() != parentAtStart : !LocalProcess.IsRunning(ParentPid!.Value));
                if (gone)
                {
                    onGone(ParentPid!.Value);
                    return;
                }
                _stop.Token.WaitHandle.WaitOne(PollInterval);
            }
        }

        [DllImport("libc", EntryPoint = "getppid")]
        private static extern int GetParentProcessId();
    }
}
