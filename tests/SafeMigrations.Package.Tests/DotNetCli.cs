using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace SafeMigrations.Package.Tests;

/// <summary>Runs the dotnet CLI as a child process and captures its output.</summary>
public static class DotNetCli
{
    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit code {ExitCode} after {Elapsed.TotalSeconds:F1}s\n{Output}";
    }

    internal static Result Run(string workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] args)
        => RunProgram(DotNetPath(), workingDirectory, environment, timeout, args);

    /// <summary>Runs any executable (a bundle) the same way, with the same environment clean-up.</summary>
    internal static Result RunProgram(string fileName, string workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] args)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // `dotnet test` leaves MSBuild variables in the test host's environment; a nested build must not inherit them.
        foreach (var key in new List<string>(startInfo.Environment.Keys))
        {
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            {
                startInfo.Environment.Remove(key);
            }
        }

        // No lingering build servers: they would hold our redirected pipes open and outlive the test.
        startInfo.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{Path.GetFileName(fileName)} {string.Join(' ', args)} did not finish within {timeout}.\n{output}");
        }

        process.WaitForExit(); // drains the asynchronous output readers
        lock (output)
        {
            return new Result(process.ExitCode, output.ToString(), stopwatch.Elapsed);
        }
    }

    private static string DotNetPath()
    {
        // The SDK sets DOTNET_HOST_PATH for the processes it starts; otherwise rely on PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
