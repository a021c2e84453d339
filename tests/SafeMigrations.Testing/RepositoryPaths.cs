using System;
using System.IO;

namespace SafeMigrations.Testing;

/// <summary>Where the repository is, for tests that build or read its files (samples, README, src).</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding SafeMigrations.sln, found upwards from the test's output folder.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SafeMigrations.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"SafeMigrations.sln not found above {AppContext.BaseDirectory}.");
    }
}
