using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace SafeMigrations.Package.Tests;

/// <summary>
/// Once per run: packs the repository into a temp folder under a unique prerelease version (so no cached
/// SafeMigrations package can stand in for it), then restores and builds the consumer project against it.
/// </summary>
public sealed partial class PackageFixture : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(8);

    public PackageFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "safemigrations-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Version = "0.1.0-e2e." + Guid.NewGuid().ToString("N")[..12];
        var repoCopy = Directory.CreateDirectory(Path.Combine(Root, "repo")).FullName;
        var packages = Directory.CreateDirectory(Path.Combine(Root, "packages")).FullName;
        ConsumerDirectory = Directory.CreateDirectory(Path.Combine(Root, "consumer")).FullName;

        RepositoryLayout.CopySourcesTo(repoCopy);
        PackResult = DotNetCli.Run(
            repoCopy,
            new Dictionary<string, string?>(),
            StepTimeout,
            "pack", Path.Combine("src", "SafeMigrations.Package", "SafeMigrations.Package.csproj"),
            "-c", "Release", "-o", packages, $"-p:Version={Version}",
            "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off");
        PackagePath = Path.Combine(packages, $"SafeMigrations.{Version}.nupkg");
        if (PackResult.ExitCode != 0 || !File.Exists(PackagePath))
        {
            // Every test reports this; the consumer cannot be built without a package.
            return;
        }

        // Own package folder so SafeMigrations is extracted fresh; the machine cache is a read-only fallback.
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        ConsumerProject.WriteTo(ConsumerDirectory, packages, Version, machinePackages);
        BuildResult = DotNetCli.Run(
            ConsumerDirectory,
            new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(Root, "nuget-packages") },
            StepTimeout,
            "build", "Consumer.csproj", "-c", "Debug",
            "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off", "-clp:NoSummary");
        Diagnostics = ParseDiagnostics(BuildResult.Output, ConsumerDirectory);
    }

    public string Root { get; }

    public string Version { get; }

    public string ConsumerDirectory { get; }

    public string PackagePath { get; }

    public DotNetCli.Result PackResult { get; }

    public DotNetCli.Result? BuildResult { get; }

    public IReadOnlyList<BuildDiagnostic> Diagnostics { get; } = Array.Empty<BuildDiagnostic>();

    public void EnsurePacked()
    {
        Assert.True(PackResult.ExitCode == 0 && File.Exists(PackagePath), $"dotnet pack failed: {PackResult}");
    }

    public DotNetCli.Result EnsureConsumerBuilt()
    {
        EnsurePacked();
        Assert.NotNull(BuildResult);
        Assert.True(BuildResult!.ExitCode == 0, $"The consumer project did not build: {BuildResult}");
        return BuildResult;
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("SAFEMIGRATIONS_KEEP_E2E") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing the run for.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>MSBuild's canonical diagnostic line: <c>file(line,col): warning ID: message [project]</c>.</summary>
    [GeneratedRegex(@"^\s*(?<file>[^\s(][^(]*)\((?<line>\d+),(?<column>\d+)(,\d+,\d+)?\): (?<severity>warning|error) (?<id>[A-Z]+\d+): (?<message>.*?)(?: \[[^\]]+\])?$", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();

    private static IReadOnlyList<BuildDiagnostic> ParseDiagnostics(string output, string projectDirectory)
    {
        return DiagnosticLine()
            .Matches(output)
            .Select(m => new BuildDiagnostic(
                m.Groups["id"].Value,
                m.Groups["severity"].Value,
                Path.GetRelativePath(projectDirectory, m.Groups["file"].Value.Trim()).Replace('\\', '/'),
                int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                m.Groups["message"].Value.TrimEnd('\r')))
            .Distinct()
            .ToList();
    }
}

public sealed record BuildDiagnostic(string Id, string Severity, string File, int Line, string Message)
{
    public override string ToString() => $"{File}({Line}): {Severity} {Id}: {Message}";
}

[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "package";
}
