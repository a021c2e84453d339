using System;
using System.Collections.Generic;
using System.IO;

namespace SafeMigrations.Package.Tests;

/// <summary>
/// The .NET tool, packed from the same repository copy into the same local feed as the package (so the runner it
/// carries is built once), and installed with <c>dotnet tool install --tool-path</c> as a user would; once per run,
/// on first use, so the package tests that do not need it do not pay for it.
/// </summary>
public sealed partial class PackageFixture
{
    private readonly object _toolGate = new();
    private DotNetCli.Result? _toolPack;
    private DotNetCli.Result? _toolInstall;

    /// <summary>Where the tool is installed: its <c>dotnet-safemigrations</c> command lives here.</summary>
    public string ToolDirectory => Path.Combine(Root, "tools");

    /// <summary>The consumer's own NuGet folder, which every build of it must keep using.</summary>
    public string ConsumerPackagesFolder => Path.Combine(Root, "nuget-packages");

    public void EnsureToolInstalled()
    {
        lock (_toolGate)
        {
            if (_toolPack is null)
            {
                EnsurePacked();
                _toolPack = DotNetCli.Run(
                    Path.Combine(Root, "repo"),
                    new Dictionary<string, string?>(),
                    StepTimeout,
                    "pack", Path.Combine("src", "SafeMigrations.Tool", "SafeMigrations.Tool.csproj"),
                    "-c", "Release", "-o", Path.Combine(Root, "packages"), $"-p:Version={Version}",
                    "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off");
                if (_toolPack.ExitCode == 0)
                {
                    _toolInstall = DotNetCli.Run(
                        Root,
                        new Dictionary<string, string?> { ["NUGET_PACKAGES"] = ConsumerPackagesFolder },
                        StepTimeout,
                        "tool", "install", "SafeMigrations.Tool", "--version", Version,
                        "--tool-path", ToolDirectory, "--add-source", Path.Combine(Root, "packages"));
                }
            }
        }

        Assert.True(_toolPack.ExitCode == 0, $"dotnet pack of the tool failed: {_toolPack}");
        Assert.True(_toolInstall is { ExitCode: 0 }, $"dotnet tool install failed: {_toolInstall}");
    }

    /// <summary>
    /// <c>dotnet safemigrations ...</c> as a user types it (the tool directory on PATH), in the consumer's directory,
    /// with <paramref name="connection"/> as SAFEMIGRATIONS_CONNECTION (empty: none).
    /// </summary>
    public DotNetCli.Result RunTool(string? connection, params string[] arguments)
        => RunTool(connection, new Dictionary<string, string?>(), arguments);

    /// <summary>As above, with <paramref name="environment"/> on top (GitHub Actions variables, say).</summary>
    public DotNetCli.Result RunTool(string? connection, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        EnsureToolInstalled();
        var command = new List<string> { "safemigrations" };
        command.AddRange(arguments);
        var variables = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = ConsumerPackagesFolder,
            ["SAFEMIGRATIONS_CONNECTION"] = connection ?? string.Empty,
            ["PATH"] = ToolDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            // When these tests run under GitHub Actions, the tool must not annotate or summarize the real job.
            ["GITHUB_ACTIONS"] = string.Empty,
            ["GITHUB_STEP_SUMMARY"] = string.Empty,
        };
        foreach (var (key, value) in environment)
        {
            variables[key] = value;
        }

        return DotNetCli.Run(ConsumerDirectory, variables, TimeSpan.FromMinutes(6), command.ToArray());
    }
}
