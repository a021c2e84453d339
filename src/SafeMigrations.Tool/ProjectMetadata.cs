using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace SafeMigrations.Tool
{
    /// <summary>
    /// What the tool needs to know about a project, read from MSBuild's evaluation (<c>dotnet msbuild -getProperty</c>)
    /// with the same configuration and framework as the build, as <c>dotnet ef</c> reads TargetPath, the deps file and
    /// the runtimeconfig of its projects.
    /// </summary>
    internal sealed class ProjectMetadata
    {
        private static readonly string[] Properties =
        {
            "TargetPath", "TargetDir", "TargetFramework", "TargetFrameworks", "TargetFrameworkIdentifier", "AssemblyName",
            "ProjectDepsFilePath", "ProjectRuntimeConfigFilePath", "BundledNETCoreAppPackageVersion", "NuGetPackageFolders",
            "BaseIntermediateOutputPath",
        };

        private ProjectMetadata(string projectFile, IReadOnlyDictionary<string, string> properties)
        {
            ProjectFile = projectFile;
            string Property(string name) => properties.TryGetValue(name, out string? value) ? value : string.Empty;
            TargetPath = Property("TargetPath");
            TargetFramework = Property("TargetFramework");
            AssemblyName = Property("AssemblyName");
            DepsFile = Property("ProjectDepsFilePath") is { Length: > 0 } deps ? deps : Path.ChangeExtension(TargetPath, ".deps.json");
            RuntimeConfig = Property("ProjectRuntimeConfigFilePath") is { Length: > 0 } config ? config : Path.ChangeExtension(TargetPath, ".runtimeconfig.json");
            FrameworkVersion = Property("BundledNETCoreAppPackageVersion");
            PackageFolders = Property("NuGetPackageFolders").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            IntermediateDirectory = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(projectFile)!, Property("BaseIntermediateOutputPath") is { Length: > 0 } obj ? obj : "obj"));
            if (TargetFramework.Length == 0)
            {
                string frameworks = Property("TargetFrameworks");
                throw new ToolException(ToolException.Configuration, frameworks.Length > 0
                    ? $"{Path.GetFileName(projectFile)} targets several frameworks ({frameworks}); choose one with --framework."
                    : $"{Path.GetFileName(projectFile)} has no TargetFramework; point --project at the project that holds the DbContext and its migrations.");
            }
            if (Property("TargetFrameworkIdentifier") != ".NETCoreApp")
                throw new ToolException(ToolException.Configuration, $"{Path.GetFileName(projectFile)} targets {TargetFramework}; SafeMigrations runs migrations of a .NET (not .NET Standard or .NET Framework) project.");
        }

        public string ProjectFile { get; }

        public string ProjectDirectory => Path.GetDirectoryName(ProjectFile)!;

        /// <summary>The built assembly, e.g. <c>bin/Debug/net10.0/Shop.dll</c>.</summary>
        public string TargetPath { get; }

        public string TargetFramework { get; }

        public string AssemblyName { get; }

        public string DepsFile { get; }

        /// <summary>Missing for a class library; the runner then runs on <see cref="FrameworkVersion"/>.</summary>
        public string RuntimeConfig { get; }

        /// <summary>The SDK's runtime version, for an app without a runtimeconfig.json.</summary>
        public string FrameworkVersion { get; }

        /// <summary>NuGet's package folders: a class library's package assemblies are only found there.</summary>
        public IReadOnlyList<string> PackageFolders { get; }

        /// <summary>The project's obj/ directory.</summary>
        public string IntermediateDirectory { get; }

        /// <summary>
        /// The project file named by <paramref name="given"/> (a file or a directory holding exactly one project), or the
        /// one in the current directory, as <c>dotnet ef</c> finds it.
        /// </summary>
        public static string FindProjectFile(string? given, string option)
        {
            string path = Path.GetFullPath(string.IsNullOrWhiteSpace(given) ? Directory.GetCurrentDirectory() : given!);
            if (File.Exists(path))
                return path;
            if (!Directory.Exists(path))
                throw new ToolException(ToolException.Configuration, $"{option} '{given}' does not exist; give a project file or the directory that holds it.");
            string[] projects = Directory.GetFiles(path, "*.*proj").Where(file => !file.EndsWith(".shproj", StringComparison.OrdinalIgnoreCase)).ToArray();
            if (projects.Length == 1)
                return projects[0];
            throw new ToolException(ToolException.Configuration, projects.Length == 0
                ? $"no project file in {path}; run in the directory of the project that holds the DbContext and its migrations, or give it with {option}."
                : $"{path} holds several project files ({string.Join(", ", projects.Select(Path.GetFileName))}); choose one with {option}.");
        }

        /// <summary>Evaluates <paramref name="projectFile"/> and reads its properties.</summary>
        public static ProjectMetadata Read(string projectFile, string? configuration, string? framework, bool verbose)
        {
            var arguments = new List<string> { "msbuild", projectFile, "-nologo" };
            arguments.AddRange(Properties.Select(name => "-getProperty:" + name));
            arguments.AddRange(GlobalProperties(configuration, framework));
            (int exitCode, string output) = DotNetProcess.Capture(arguments, verbose);
            int json = output.IndexOf('{');
            if (exitCode != 0 || json < 0)
                throw new ToolException(ToolException.Configuration, $"MSBuild could not evaluate {projectFile} (exit code {exitCode}): {output.Trim()}");
            var properties = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                using JsonDocument document = JsonDocument.Parse(output.Substring(json));
                foreach (JsonProperty property in document.RootElement.GetProperty("Properties").EnumerateObject())
                    properties[property.Name] = property.Value.GetString() ?? string.Empty;
            }
            catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new ToolException(ToolException.Configuration, $"MSBuild's answer about {projectFile} was not understood ({exception.Message}); the tool needs the .NET 8 SDK or later.");
            }
            return new ProjectMetadata(projectFile, properties);
        }

        /// <summary>The <c>-p:</c> switches that select the configuration and framework, shared by every dotnet call on the project.</summary>
        public static IEnumerable<string> GlobalProperties(string? configuration, string? framework)
        {
            if (!string.IsNullOrWhiteSpace(configuration))
                yield return "-p:Configuration=" + configuration;
            if (!string.IsNullOrWhiteSpace(framework))
                yield return "-p:TargetFramework=" + framework;
        }
    }
}
