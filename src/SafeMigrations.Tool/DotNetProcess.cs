using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace SafeMigrations.Tool
{
    /// <summary>Starts the <c>dotnet</c> host (build, msbuild, publish, exec) as a child process.</summary>
    internal static class DotNetProcess
    {
        /// <summary>
        /// The muxer: DOTNET_HOST_PATH (set by the CLI for the tools it starts), else the <c>dotnet</c> under DOTNET_ROOT,
        /// else the one on PATH.
        /// </summary>
        public static string HostPath
        {
            get
            {
                string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
                if (!string.IsNullOrEmpty(host) && File.Exists(host))
                    return host;
                string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
                string fileName = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
                if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, fileName)))
                    return Path.Combine(root, fileName);
                return "dotnet";
            }
        }

        /// <summary>Runs dotnet and returns its exit code and everything it wrote (stdout and stderr, in order).</summary>
        public static (int ExitCode, string Output) Capture(IReadOnlyList<string> arguments, bool verbose)
        {
            var output = new StringBuilder();
            int exitCode = Run(arguments, line => { lock (output) output.AppendLine(line); }, line => { lock (output) output.AppendLine(line); }, null, verbose);
            lock (output)
                return (exitCode, output.ToString());
        }

        /// <summary>Runs dotnet with <paramref name="environment"/> added to ours, handing each line of its standard output and error to the callbacks.</summary>
        public static int Run(IReadOnlyList<string> arguments, Action<string> onOutput, Action<string> onError, IReadOnlyDictionary<string, string>? environment, bool verbose)
        {
            var startInfo = new ProcessStartInfo(HostPath)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in arguments)
                startInfo.ArgumentList.Add(argument);
            startInfo.Environment["DOTNET_NOLOGO"] = "1";
            startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            if (environment is not null)
            {
                foreach (KeyValuePair<string, string> pair in environment)
                    startInfo.Environment[pair.Key] = pair.Value;
            }
            if (verbose)
                Console.Out.WriteLine("info: running: dotnet " + string.Join(" ", Quoted(arguments)));

            using var process = new Process { StartInfo = startInfo };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) onOutput(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onError(e.Data); };
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception exception)
            {
                throw new ToolException(ToolException.Configuration, $"cannot start '{startInfo.FileName}' ({exception.Message}); install the .NET SDK or put dotnet on PATH.");
            }
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();
            return process.ExitCode;
        }

        private static IEnumerable<string> Quoted(IEnumerable<string> arguments)
        {
            foreach (string argument in arguments)
                yield return argument.Length == 0 || argument.IndexOfAny(new[] { ' ', '"', '\'' }) >= 0 ? "\"" + argument.Replace("\"", "\\\"") + "\"" : argument;
        }
    }
}
