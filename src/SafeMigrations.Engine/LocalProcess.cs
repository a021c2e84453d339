using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace SafeMigrations.Engine
{
    /// <summary>Whether a process of this machine still runs: the one check behind the parent watch, stale executors and orphaned clusters.</summary>
    public static class LocalProcess
    {
        /// <summary>
        /// True while a process with <paramref name="pid"/> exists and has not ended. On Linux a zombie counts as ended:
        /// it holds no session and does no work, but <see cref="Process.HasExited"/> cannot see that.
        /// </summary>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "The one check the ban points to.")]
        public static bool IsRunning(int pid)
        {
            if (pid <= 0)
                return false;
            if (Directory.Exists("/proc/self"))
            {
                string stat = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "stat");
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
                return false; // no such process
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }
}
