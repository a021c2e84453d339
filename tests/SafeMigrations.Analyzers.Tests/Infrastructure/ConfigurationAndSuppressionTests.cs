using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Tests.Verifiers;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.CreateIndexNonConcurrentlyAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

public class ConfigurationAndSuppressionTests
{
    private const string Index = """
                migrationBuilder.CreateIndex(name: "IX_Orders_A", table: "Orders", column: "A");
        """;

    [Fact]
    public async Task Severity_from_editorconfig_none_silences_the_rule()
    {
        await Verify.VerifyAnalyzerAsync(Migration(Index), "dotnet_diagnostic.SM0001.severity = none");
    }

    [Fact]
    public async Task Severity_from_editorconfig_changes_the_reported_severity()
    {
        var source = Migration("""
                {|#0:migrationBuilder.CreateIndex(name: "IX_Orders_A", table: "Orders", column: "A")|};
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            "dotnet_diagnostic.SM0001.severity = suggestion",
            Verify.Diagnostic("SM0001").WithSeverity(DiagnosticSeverity.Info).WithLocation(0).WithArguments("CreateIndex 'IX_Orders_A'", "Orders"));
    }

    [Fact]
    public async Task Pragma_suppresses()
    {
        var source = Migration("""
        #pragma warning disable SM0001 // small lookup table, measured
                migrationBuilder.CreateIndex(name: "IX_Orders_A", table: "Orders", column: "A");
        #pragma warning restore SM0001
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_B", table: "Orders", column: "B")|};
        """);

        // The framework's own check wraps the file in '#pragma warning disable', which our 'restore' undoes: skip it.
        var test = new Verify.Test { TestCode = source, TestBehaviors = Microsoft.CodeAnalysis.Testing.TestBehaviors.SkipSuppressionCheck };
        await test.RunAsync();
    }

    [Fact]
    public async Task SuppressMessage_on_the_class_suppresses()
    {
        var source = Migration(Index, classAttributes: """[System.Diagnostics.CodeAnalysis.SuppressMessage("SafeMigrations.Locking", "SM0001:Create indexes on existing tables concurrently", Justification = "tiny table")]""");
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Small_tables_match_case_insensitively_and_by_schema()
    {
        var source = Migration("""
                migrationBuilder.CreateIndex(name: "IX_1", table: "Countries", column: "A");
                migrationBuilder.CreateIndex(name: "IX_2", table: "Settings", column: "A", schema: "config");
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_3", table: "Settings", column: "A", schema: "other")|};
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_4", table: "Settings", column: "A")|};
                migrationBuilder.Sql("CREATE INDEX ix_5 ON countries (a)");
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = COUNTRIES config.settings");
    }

    [Fact]
    public async Task Without_ef_core_nothing_is_registered_or_reported()
    {
        const string source = """
            namespace App
            {
                public abstract class Migration { protected abstract void Up(object b); }
                public class X : Migration { protected override void Up(object b) { } }
            }
            """;
        var test = new Verify.Test(withEf: false) { TestCode = source };
        await test.RunAsync();

        var compilation = CSharpCompilation.Create("NoEf", new[] { CSharpSyntaxTree.ParseText(source) }, TestReferences.Framework);
        Assert.Null(MigrationCompilationState.Get(compilation));
    }

    [Fact]
    public void Options_parse_small_tables_and_postgres_version()
    {
        var options = MigrationOptions.Read(new DictionaryOptions(("safe_migrations.small_tables", " a, \"B\" ;s.c "), ("safe_migrations.postgres_version", "15")));
        Assert.Equal(15, options.PostgresVersion);
        Assert.True(options.IsSmallTable(new Model.TableName(null, "A")));
        Assert.True(options.IsSmallTable(new Model.TableName("x", "b")));
        Assert.True(options.IsSmallTable(new Model.TableName("S", "C")));
        Assert.False(options.IsSmallTable(new Model.TableName(null, "c")));
        Assert.Equal(12, MigrationOptions.Read(new DictionaryOptions(("safe_migrations.postgres_version", "x"))).PostgresVersion);
    }

    private sealed class DictionaryOptions : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
    {
        private readonly System.Collections.Generic.Dictionary<string, string> _values;

        public DictionaryOptions(params (string Key, string Value)[] values) => _values = values.ToDictionary(v => v.Key, v => v.Value);

        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);
    }
}
