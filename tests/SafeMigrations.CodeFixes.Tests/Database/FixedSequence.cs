using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.EntityFrameworkCore;
using SafeMigrations.Analyzers.Tests.Verifiers;
using SafeMigrations.Testing;

namespace SafeMigrations.CodeFixes.Tests.Database;

/// <summary>
/// Graceful degradation of a fix: the original migration and its fixed version are compiled for real, applied with
/// plain EF Core <c>Database.Migrate()</c> to two fresh PostgreSQL databases prepared with the same tables and rows,
/// and must leave the same schema (columns, NOT NULL, defaults, constraints and whether they are validated, indexes
/// and whether they are valid, views, triggers, functions) and the same data.
/// </summary>
public static class FixedSequence
{
    /// <param name="setupSql">Creates and fills the tables the migration works on (runs before <c>Migrate()</c>).</param>
    /// <param name="originalUp">Body of <c>Up</c> as the user wrote it.</param>
    /// <param name="fixedUp">Body of <c>Up</c> after the code fix.</param>
    /// <param name="dataQueries">Queries whose rows must be equal afterwards, e.g. <c>SELECT * FROM "Orders" ORDER BY "Id"</c>.</param>
    public static async Task AssertSameEndStateAsync(PostgresServerFixture server, string setupSql, string originalUp, string fixedUp, params string[] dataQueries)
    {
        var original = await ApplyAsync(server, setupSql, originalUp, dataQueries);
        var fixedState = await ApplyAsync(server, setupSql, fixedUp, dataQueries);

        Assert.Equal(original.Schema, fixedState.Schema);
        for (var i = 0; i < dataQueries.Length; i++)
        {
            Assert.True(original.Data[i].SequenceEqual(fixedState.Data[i]), $"Data differs for: {dataQueries[i]}\noriginal: {string.Join(" | ", original.Data[i].Take(5))}\nfixed:    {string.Join(" | ", fixedState.Data[i].Take(5))}");
        }
    }

    /// <summary>Applies one migration (body of <c>Up</c>) with plain EF and returns the resulting schema and data.</summary>
    public static async Task<EndState> ApplyAsync(PostgresServerFixture server, string setupSql, string up, params string[] dataQueries)
    {
        await using var database = await server.CreateDatabaseAsync();
        await database.ExecuteAsync(setupSql);

        await MigrateAsync(database, up);
        var schema = await SchemaAsync(database);
        var data = new List<string[]>();
        foreach (var query in dataQueries)
        {
            var rows = await database.RowsAsync(query);
            data.Add(rows.Select(r => string.Join(", ", r.Select(v => v is null or DBNull ? "NULL" : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))).ToArray());
        }

        return new EndState(schema, data);
    }

    /// <summary>Compiles one migration (body of <c>Up</c>) and applies it with plain EF <c>Database.MigrateAsync()</c> to <paramref name="database"/>.</summary>
    public static async Task MigrateAsync(TestDatabase database, string up)
    {
        var assembly = Compile(up);
        try
        {
            var contextType = assembly.GetType("App.Migrations.AppDbContext", throwOnError: true)!;
            var options = new DbContextOptionsBuilder()
                .UseNpgsql(database.ConnectionString)
                // Every test compiles its own context type, hence its own EF service provider.
                .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.ManyServiceProvidersCreatedWarning))
                .Options;
            await using var context = (DbContext)Activator.CreateInstance(contextType, options)!;
            await context.Database.MigrateAsync();
        }
        finally
        {
            AssemblyLoadContext.GetLoadContext(assembly)?.Unload();
        }
    }

    /// <summary>Compiles a migration assembly whose DbContext takes plain <see cref="DbContextOptions"/>.</summary>
    private static Assembly Compile(string up)
    {
        var source = MigrationSource.Migration(up: up, className: "UnderTest")
            .Replace("public class AppDbContext : DbContext\n    {\n    }", "public class AppDbContext : DbContext\n    {\n        public AppDbContext(DbContextOptions options) : base(options) { }\n    }");
        Assert.Contains("public AppDbContext(DbContextOptions options)", source);

        var name = "FixedSequence_" + Guid.NewGuid().ToString("N");
        var compilation = CSharpCompilation.Create(
            name,
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) },
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, "The migration does not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;

        // Collectible, but resolving EF Core, Npgsql and SafeMigrations from the test's own context.
        var loadContext = new AssemblyLoadContext(name, isCollectible: true);
        return loadContext.LoadFromStream(stream);
    }

    /// <summary>The user-visible schema of the public schema, as sorted lines (EF's history table excluded).</summary>
    private static async Task<string[]> SchemaAsync(TestDatabase database)
    {
        const string Sql = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
                   || coalesce('(' || character_maximum_length || ')', '')
                   || coalesce(' numeric(' || numeric_precision || ',' || numeric_scale || ')', '')
                   || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
                   || coalesce(' DEFAULT ' || column_default, '')
                   || CASE WHEN is_identity = 'YES' THEN ' IDENTITY ' || identity_generation ELSE '' END
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name <> '__EFMigrationsHistory'
            UNION ALL
            SELECT 'constraint ' || c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
                   || CASE WHEN c.convalidated THEN '' ELSE ' (not validated)' END
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'public' AND c.conrelid <> 0 AND c.conrelid::regclass::text <> '"__EFMigrationsHistory"'
            UNION ALL
            SELECT 'index ' || i.indexrelid::regclass || ' ' || pg_get_indexdef(i.indexrelid)
                   || CASE WHEN i.indisvalid THEN '' ELSE ' (invalid)' END
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public' AND t.relname <> '__EFMigrationsHistory'
            UNION ALL
            SELECT 'view ' || table_name || ' ' || view_definition FROM information_schema.views WHERE table_schema = 'public'
            UNION ALL
            SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
            UNION ALL
            SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
            """;
        var rows = await database.RowsAsync(Sql);
        return rows.Select(r => (string)r[0]!).OrderBy(l => l, StringComparer.Ordinal).ToArray();
    }

    public sealed record EndState(string[] Schema, List<string[]> Data);
}
