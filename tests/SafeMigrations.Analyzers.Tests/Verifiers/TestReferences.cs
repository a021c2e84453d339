using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace SafeMigrations.Analyzers.Tests.Verifiers;

/// <summary>
/// References for test sources, built once per test run and offline: the running runtime's framework assemblies
/// (TRUSTED_PLATFORM_ASSEMBLIES) plus the real EF Core, Npgsql and SafeMigrations runtime assemblies this project references.
/// </summary>
public static class TestReferences
{
    /// <summary>An empty reference-assembly set: nothing is downloaded; <see cref="Framework"/> supplies the BCL.</summary>
    public static readonly ReferenceAssemblies None = new ReferenceAssemblies("net10.0");

    private static readonly Lazy<ImmutableArray<MetadataReference>> FrameworkLazy = new(() => Load(includeEf: false));
    private static readonly Lazy<ImmutableArray<MetadataReference>> AllLazy = new(() => Load(includeEf: true));

    /// <summary>Framework only (System.*, netstandard, mscorlib).</summary>
    public static ImmutableArray<MetadataReference> Framework => FrameworkLazy.Value;

    /// <summary>Framework + Microsoft.Extensions.* + EF Core (+ Relational) + Npgsql EF + SafeMigrations runtime.</summary>
    public static ImmutableArray<MetadataReference> All => AllLazy.Value;

    private static ImmutableArray<MetadataReference> Load(bool includeEf)
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var paths = tpa.Where(p =>
        {
            var name = Path.GetFileName(p);
            return name.StartsWith("System.", StringComparison.Ordinal)
                   || name is "netstandard.dll" or "mscorlib.dll"
                   || (includeEf && name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal));
        });

        if (includeEf)
        {
            paths = paths.Concat(new[]
            {
                typeof(Microsoft.EntityFrameworkCore.DbContext).Assembly.Location,
                typeof(Microsoft.EntityFrameworkCore.DeleteBehavior).Assembly.Location,
                typeof(Microsoft.EntityFrameworkCore.Migrations.Migration).Assembly.Location,
                typeof(Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy).Assembly.Location,
                typeof(Npgsql.NpgsqlConnection).Assembly.Location,
                typeof(SafeMigrations.ContractPhaseAttribute).Assembly.Location,
            });
        }

        return paths
            .Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }
}
