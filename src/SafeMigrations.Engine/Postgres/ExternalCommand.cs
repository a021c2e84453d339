using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace SafeMigrations.Engine.Postgres
{
    /// <summary>Runs a PostgreSQL command-line program, optionally as another system user, capturing its output.</summary>
    internal sealed class ExternalCommand
    {
        private static readonly string[] RunuserPaths = { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser" };

        private readonly string? _runAsUser;
        private readonly string _workingDirectory;

        public ExternalCommand(string? runAsUser, string workingDirectory)
        {
            _runAsUser = runAsUser;
            _workingDirectory = workingDirectory;
        }

        public sealed class Result
        {
            public Result(int exitCode, string output, bool timedOut)
            {
                ExitCode = exitCode;
                Output = output;
                TimedOut = timedOut;
            }

            public int ExitCode { get; }
            public string Output { get; }
            public bool TimedOut { get; }
            public bool Succeeded => ExitCode == 0 && !TimedOut;
        }

        [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "The one place programs are started, the ban points here.")]
        public Result Run(string executable, IReadOnlyList<string> arguments, TimeSpan timeout)
        {
            ProcessStartInfo startInfo = CreateStartInfo(executable, arguments);
            startInfo.RedirectStandardOutput = true;
            startInfo.RedirectStandardError = true;
            startInfo.RedirectStandardInput = true;
            startInfo.UseShellExecute = false;
            startInfo.WorkingDirectory = _workingDirectory;
            // The caller's libpq settings must not leak into our cluster's programs.
            foreach (string variable in new[] { "PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGDATABASE", "PGOPTIONS" })
                startInfo.Environment.Remove(variable);

            using var process = new Process { StartInfo = startInfo };
            process.Start();
            process.StandardInput.Close();
            // Read both streams on their own tasks; a forked server that kept a pipe open must not block us.
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            bool exited = process.WaitForExit((int)Math.Min(int.MaxValue, timeout.TotalMilliseconds));
            if (!exited)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Exited meanwhile.
                }
            }

            Task.WaitAll(new Task[] { stdout, stderr }, TimeSpan.FromSeconds(2));
            var output = new StringBuilder();
            if (stdout.IsCompleted)
                output.Append(stdout.Result);
            if (stderr.IsCompleted)
                output.Append(stderr.Result);
            return new Result(exited ? process.ExitCode : -1, output.ToString().Trim(), !exited);
        }

        private ProcessStartInfo CreateStartInfo(string executable, IReadOnlyList<string> arguments)
        {
            if (_runAsUser is null)
                return WithArguments(new ProcessStartInfo(executable), arguments);

            string? runuser = RunuserPaths.FirstOrDefault(File.Exists);
            if (runuser is not null)
                return WithArguments(new ProcessStartInfo(runuser), new[] { "-u", _runAsUser, "--", executable }.Concat(arguments));

            string commandLine = string.Join(" ", new[] { executable }.Concat(arguments).Select(ShellQuote));
            return WithArguments(new ProcessStartInfo("su"), new[] { _runAsUser, "-s", "/bin/sh", "-c", commandLine });
        }

        private static ProcessStartInfo WithArguments(ProcessStartInfo startInfo, IEnumerable<string> arguments)
        {
            foreach (string argument in arguments)
                startInfo.ArgumentList.Add(argument);
            return startInfo;
        }

        internal static string ShellQuote(string argument)
        {
            return "'" + argument.Replace("'", "'\\''") + "'";
        }
    }
}
