using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace SafeMigrations.Package.Tests;

internal static class RepositoryLayout
{
    public static string Root => SafeMigrations.Testing.RepositoryPaths.Root;

    public static string BuildProperty(string name) =>
        typeof(RepositoryLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == name).Value
        ?? throw new InvalidOperationException($"No build property {name}.");

    /// <summary>
    /// Copies what a pack needs (root build files, src/, build/) without bin/ and obj/: packing the copy proves the
    /// package builds from a clean clone and never touches the outputs other test projects are running from.
    /// </summary>
    public static void CopySourcesTo(string destination)
    {
        foreach (var file in Directory.EnumerateFiles(Root))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var folder in new[] { "src", "build" })
        {
            var source = Path.Combine(Root, folder);
            if (Directory.Exists(source))
            {
                CopyTree(source, Path.Combine(destination, folder));
            }
        }
    }

    /// <summary>Copies a folder without bin/ (and without obj/ unless <paramref name="includeObj"/>: restore outputs).</summary>
    public static void CopyTree(string source, string destination, bool includeObj = false)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(source))
        {
            var name = Path.GetFileName(dir);
            if (name is "bin" or ".vs" or "TestResults" || (name == "obj" && !includeObj))
            {
                continue;
            }

            CopyTree(dir, Path.Combine(destination, name), includeObj);
        }
    }
}
