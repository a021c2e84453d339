using System;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace SafeMigrations.Package.Tests;

/// <summary>What a user sees after adding the package: the warnings of <c>dotnet build</c>.</summary>
[Collection(PackageCollection.Name)]
public class ConsumerBuildTests
{
    private readonly PackageFixture _fixture;

    public ConsumerBuildTests(PackageFixture fixture) => _fixture = fixture;

    [Fact]
    public void Consumer_builds_with_the_package_and_the_runtime_library_compiles()
    {
        var build = _fixture.EnsureConsumerBuilt();
        Assert.DoesNotContain(_fixture.Diagnostics, d => d.Severity == "error");
        // The contract migration calls .InContractPhase() from lib/net8.0/SafeMigrations.dll, so the consumer references it.
        Assert.Contains("SafeMigrations", AssemblyReferencesOf(ConsumerAssembly()));
    }

    [Fact]
    public void Analyzer_assemblies_are_passed_to_the_compiler_and_not_referenced()
    {
        _fixture.EnsureConsumerBuilt();
        var references = AssemblyReferencesOf(ConsumerAssembly());
        Assert.DoesNotContain("SafeMigrations.Analyzers", references);
        Assert.DoesNotContain("SafeMigrations.Sql", references);
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));

        // Nothing from Roslyn or the analyzers became a compile-time package asset of the consumer.
        var assets = File.ReadAllText(Path.Combine(_fixture.ConsumerDirectory, "obj", "project.assets.json"));
        Assert.DoesNotContain("\"Microsoft.CodeAnalysis", assets, StringComparison.Ordinal);
        Assert.DoesNotContain("lib/net8.0/SafeMigrations.Analyzers.dll", assets, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateIndex_on_an_existing_table_is_reported_as_SM0001_at_the_call()
    {
        var build = _fixture.EnsureConsumerBuilt();
        var expectedLine = LineOf(ConsumerProject.UnsafeMigrationFile, ConsumerProject.UnsafeCall);

        var reported = _fixture.Diagnostics
            .Where(d => d.Id.StartsWith("SM", StringComparison.Ordinal) && d.File == ConsumerProject.UnsafeMigrationFile)
            .ToList();
        Assert.True(
            reported is [{ Id: "SM0001", Severity: "warning" } d] && d.Line == expectedLine,
            $"Expected exactly warning SM0001 at {ConsumerProject.UnsafeMigrationFile}({expectedLine}); got [{string.Join("; ", reported)}].\n{build}");
    }

    [Fact]
    public void AddForeignKey_between_existing_tables_is_reported_as_SM0008()
    {
        var build = _fixture.EnsureConsumerBuilt();
        var reported = _fixture.Diagnostics
            .Where(d => d.Id.StartsWith("SM", StringComparison.Ordinal) && d.File == ConsumerProject.ForeignKeyMigrationFile)
            .Select(d => d.Id + " " + d.Severity)
            .Distinct()
            .ToList();
        Assert.True(reported is ["SM0008 warning"], $"Expected only warning SM0008 in {ConsumerProject.ForeignKeyMigrationFile}; got [{string.Join("; ", reported)}].\n{build}");
    }

    [Fact]
    public void Safe_migrations_and_contract_phase_steps_get_no_SM_warning()
    {
        var build = _fixture.EnsureConsumerBuilt();
        var noisy = _fixture.Diagnostics
            .Where(d => d.Id.StartsWith("SM", StringComparison.Ordinal) && d.File != ConsumerProject.UnsafeMigrationFile && d.File != ConsumerProject.ForeignKeyMigrationFile)
            .ToList();
        Assert.True(noisy.Count == 0, $"Unexpected warnings on safe code:\n{string.Join('\n', noisy)}\n{build}");
    }

    private string ConsumerAssembly() => Path.Combine(_fixture.ConsumerDirectory, "bin", "Debug", "net10.0", "Consumer.dll");

    private static string[] AssemblyReferencesOf(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToArray();
    }

    private int LineOf(string relativeFile, string text)
    {
        var lines = File.ReadAllLines(Path.Combine(_fixture.ConsumerDirectory, relativeFile));
        var index = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(index >= 0, $"'{text}' not found in {relativeFile}");
        return index + 1;
    }
}
