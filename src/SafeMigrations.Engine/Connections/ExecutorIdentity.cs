using System;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SafeMigrations.Engine.Connections
{
    /// <summary>
    /// Who runs an executor session: the OS process id and host of the executor, carried in the session's
    /// <c>application_name</c> ("SafeMigrations executor pid 1234 on build-7") so that another executor, or an operator
    /// reading <c>pg_stat_activity</c>, can name the process to stop.
    /// </summary>
    public sealed class ExecutorIdentity
    {
        /// <summary>Prefix of every executor session's application_name.</summary>
        public const string ApplicationNamePrefix = "SafeMigrations executor";

        // PostgreSQL keeps NAMEDATALEN - 1 = 63 bytes of application_name.
        private const int MaxApplicationName = 63;

        private static readonly Regex Pattern = new Regex(@"^SafeMigrations executor pid (\d+) on (.+)$", RegexOptions.CultureInvariant);

        /// <summary>Creates an identity.</summary>
        public ExecutorIdentity(int processId, string host)
        {
            ProcessId = processId;
            Host = host;
        }

        /// <summary>This process on this machine.</summary>
        public static ExecutorIdentity Current { get; } = new ExecutorIdentity(Environment.ProcessId, Environment.MachineName);

        /// <summary>OS process id of the executor.</summary>
        public int ProcessId { get; }

        /// <summary>Host name of the executor (as far as it fits into application_name).</summary>
        public string Host { get; }

        /// <summary>Read from an application_name that was cut at 63 characters: <see cref="Host"/> is a prefix of the real name.</summary>
        public bool HostTruncated { get; private set; }

        /// <summary>The application_name of the executor's sessions, at most 63 characters (ASCII host names).</summary>
        public string ApplicationName
        {
            get
            {
                string head = $"{ApplicationNamePrefix} pid {ProcessId.ToString(CultureInfo.InvariantCulture)} on ";
                string host = Host.Length > MaxApplicationName - head.Length ? Host.Substring(0, MaxApplicationName - head.Length) : Host;
                return head + host;
            }
        }

        /// <summary>Reads an identity back from an application_name; null when it is not an executor's (or an older version's without pid).</summary>
        public static ExecutorIdentity? Parse(string? applicationName)
        {
            Match match = Pattern.Match(applicationName ?? string.Empty);
            if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                return null;
            return new ExecutorIdentity(pid, match.Groups[2].Value) { HostTruncated = applicationName!.Length >= MaxApplicationName };
        }

        /// <summary>
        /// True only when the executor ran on this host (as far as application_name could carry its name) and no
        /// process with its id exists any more: then its session is certainly stale. Another host's executor is never
        /// called stale, since it cannot be checked from here.
        /// </summary>
        public bool IsCertainlyGone()
        {
            string here = Environment.MachineName;
            bool sameHost = HostTruncated ? here.StartsWith(Host, StringComparison.OrdinalIgnoreCase) : string.Equals(here, Host, StringComparison.OrdinalIgnoreCase);
            if (!sameHost || ProcessId <= 0)
                return false;
            return !LocalProcess.IsRunning(ProcessId);
        }

        /// <inheritdoc />
        public override string ToString() => $"process {ProcessId} on {Host}";
    }
}
