using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// Stops the runner when the process that started it goes away. A CI timeout kills <c>dotnet build</c> (SIGTERM or
    /// SIGKILL) but not the runner it started, which would otherwise be reparented and finish the migration headless,
    /// with no one reading its output. The MSBuild task puts its own process id into
    /// <see cref="ParentPidVariable"/>; a wrapper script can do the same (<c>SAFEMIGRATIONS_PARENT_PID=$$</c>). Without
    /// the variable nothing is watched (a runner started with nohup keeps running).
    /// </summary>
    internal sealed class ParentWatch : IDisposable
    {
        public const string ParentPidVariable = "SAFEMIGRATIONS_PARENT_PID";

        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        private ParentWatch(int parentPid)
        {
            ParentPid = parentPid;
        }

        /// <summary>The watched process id.</summary>
        public int ParentPid { get; }

        /// <summary>
        /// Starts watching the process named by <see cref="ParentPidVariable"/>; <paramref name="onGone"/> runs once
        /// when it is gone. Null when the variable is not set (or names no running process: then it is already gone,
        /// and <paramref name="onGone"/> has run).
        /// </summary>
        public static ParentWatch? Start(Action<int> onGone)
        {
            string? value = Environment.GetEnvironmentVariable(ParentPidVariable);
            if (string.IsNullOrWhiteSpace(value) || !int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
                return null;
            var watch = new ParentWatch(pid);
            if (OperatingSystem.IsWindows())
                _ = watch.WaitOnWindowsAsync(onGone);
            else
                new Thread(() => watch.Poll(onGone)) { IsBackground = true, Name = "SafeMigrations parent watch" }.Start();
            return watch;
        }

        public void Dispose() => _stop.Cancel();

        private async Task WaitOnWindowsAsync(Action<int> onGone)
        {
            try
            {
                using Process parent = Process.GetProcessById(ParentPid);
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
            onGone(ParentPid);
        }

        private void Poll(Action<int> onGone)
        {
            // When the watched process is our parent, its death shows at once as a new parent (init or a subreaper),
            // even while it lingers as an unreaped zombie.
            int parentAtStart = GetParentProcessId();
            bool watchingParent = parentAtStart == ParentPid;
            while (!_stop.IsCancellationRequested)
            {
                bool gone = watchingParent ? GetParentProcessId() != parentAtStart : !IsRunning(ParentPid);
                if (gone)
                {
                    onGone(ParentPid);
                    return;
                }
                _stop.Token.WaitHandle.WaitOne(PollInterval);
            }
        }

        private static bool IsRunning(int pid)
        {
            string stat = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "stat");
            if (Directory.Exists("/proc/self"))
            {
                try
                {
                    // "pid (comm) S ...": a zombie (Z) or dead (X) process has ended.
                    string text = File.ReadAllText(stat);
                    int close = text.LastIndexOf(')');
                    char state = close >= 0 && close + 2 < text.Length ? text[close + 2] : '?';
                    return state != 'Z' && state != 'X';
                }
                catch (IOException)
                {
                    return false;
                }
                catch (UnauthorizedAccessException)
                {
                    return true;
                }
            }
            try
            {
                using Process process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        [DllImport("libc", EntryPoint = "getppid")]
        private static extern int GetParentProcessId();
    }
}
