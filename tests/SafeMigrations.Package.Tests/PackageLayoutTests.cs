using System;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;

namespace SafeMigrations.Package.Tests;

[Collection(PackageCollection.Name)]
public class PackageLayoutTests
{
    private readonly PackageFixture _fixture;

    public PackageLayoutTests(PackageFixture fixture) => _fixture = fixture;

    [Fact]
    public void Analyzers_ship_under_analyzers_dotnet_cs()
    {
        var entries = Entries();
        Assert.Contains("analyzers/dotnet/cs/SafeMigrations.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/SafeMigrations.Sql.dll", entries);
    }

    [Fact]
    public void Runtime_library_and_its_docs_ship_under_lib_net8()
    {
        var entries = Entries();
        Assert.Contains("lib/net8.0/SafeMigrations.dll", entries);
        Assert.Contains("lib/net8.0/SafeMigrations.xml", entries);
    }

    [Fact]
    public void Lib_holds_only_the_runtime_library()
    {
        var lib = Entries().Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { "lib/net8.0/SafeMigrations.dll", "lib/net8.0/SafeMigrations.xml" }, lib.OrderBy(e => e, StringComparer.Ordinal));
    }

    [Fact]
    public void Analyzers_folder_holds_only_analyzer_assemblies()
    {
        var analyzers = Entries().Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)).ToList();
        Assert.All(analyzers, e => Assert.Matches(@"^analyzers/dotnet/cs/SafeMigrations\.(Analyzers|Sql|CodeFixes)\.dll$", e));
        Assert.DoesNotContain("analyzers/dotnet/cs/SafeMigrations.dll", analyzers);
    }

    [Fact]
    public void MSBuild_integration_ships_targets_task_and_runner()
    {
        var entries = Entries();
        Assert.Contains("build/SafeMigrations.props", entries);
        Assert.Contains("build/SafeMigrations.targets", entries);
        Assert.Contains("build/SafeMigrations.Strict.globalconfig", entries);
        Assert.Contains("tasks/netstandard2.0/SafeMigrations.Build.dll", entries);
        foreach (var file in new[] { "SafeMigrations.Runner.dll", "SafeMigrations.Runner.runtimeconfig.json", "SafeMigrations.Engine.dll", "SafeMigrations.Sql.dll", "SafeMigrations.dll" })
        {
            Assert.Contains("tools/net8.0/any/" + file, entries);
        }

        // The targets act on the project that references the package directly (see the Package project).
        Assert.DoesNotContain(entries, e => e.StartsWith("buildTransitive/", StringComparison.Ordinal));
    }

    [Fact]
    public void Runner_ships_only_its_own_assemblies_so_the_apps_EF_Core_and_Npgsql_load()
    {
        var tools = Entries().Where(e => e.StartsWith("tools/", StringComparison.Ordinal)).ToList();
        Assert.All(tools, e => Assert.Matches(@"^tools/net8\.0/any/SafeMigrations(\.(Runner|Engine|Sql))?\.dll$|^tools/net8\.0/any/SafeMigrations\.Runner\.runtimeconfig\.json$", e));
        var tasks = Entries().Where(e => e.StartsWith("tasks/", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { "tasks/netstandard2.0/SafeMigrations.Build.dll" }, tasks);
    }

    [Fact]
    public void Nuspec_declares_EF_Core_Relational_and_nothing_from_Roslyn()
    {
        var metadata = Metadata();
        var dependencies = metadata.Descendants(metadata.Name.Namespace + "dependency").ToList();

        var ef = Assert.Single(dependencies);
        Assert.Equal("Microsoft.EntityFrameworkCore.Relational", ef.Attribute("id")?.Value);
        Assert.Equal(RepositoryLayout.BuildProperty("EfCore8Version"), ef.Attribute("version")?.Value);
        Assert.Equal("net8.0", ef.Parent?.Attribute("targetFramework")?.Value);
    }

    [Fact]
    public void Nuspec_has_license_readme_description_and_tags()
    {
        var metadata = Metadata();
        var ns = metadata.Name.Namespace;
        Assert.Equal("SafeMigrations", metadata.Element(ns + "id")?.Value);
        Assert.Equal(_fixture.Version, metadata.Element(ns + "version")?.Value);
        var license = metadata.Element(ns + "license");
        Assert.Equal("expression", license?.Attribute("type")?.Value);
        Assert.Equal("MIT", license?.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.Contains("README.md", Entries());
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
        Assert.Contains("efcore", metadata.Element(ns + "tags")?.Value ?? "", StringComparison.Ordinal);
    }

    private string[] Entries()
    {
        _fixture.EnsurePacked();
        using var zip = ZipFile.OpenRead(_fixture.PackagePath);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    private XElement Metadata()
    {
        _fixture.EnsurePacked();
        using var zip = ZipFile.OpenRead(_fixture.PackagePath);
        using var stream = zip.Entries.Single(e => e.FullName == "SafeMigrations.nuspec").Open();
        var root = XDocument.Load(stream).Root!;
        return root.Element(root.Name.Namespace + "metadata")!;
    }
}
