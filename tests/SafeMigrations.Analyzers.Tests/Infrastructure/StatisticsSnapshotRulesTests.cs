using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using SafeMigrations.Analyzers.Rules;
using SafeMigrations.Sql.Rules;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>
/// The rules with a statistics snapshot as an additional file: small tables exempt from the lock and rewrite rules
/// (never from the compatibility rules), size and estimated duration in the messages, hot tables raised to errors when
/// configured, unknown tables as without a snapshot, and SM0019 once for an old or unreadable snapshot.
/// </summary>
public class StatisticsSnapshotRulesTests
{
    private static readonly DateTimeOffset Yesterday = DateTimeOffset.UtcNow.AddDays(-1);

    /// <summary>A snapshot with 'Orders' (4.2M rows, hot), 'Countries' (250 rows) and raw-SQL 'events' (3000 rows).</summary>
    private static string Snapshot(DateTimeOffset takenAt) => $$"""
        {
          "formatVersion": 1,
          "takenAt": "{{takenAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}",
          "serverVersionNum": 160004,
          "intervalSeconds": 10,
          "tables": [
            { "schema": "public", "name": "Countries", "estimatedRows": 250, "heapBytes": 24576, "indexBytes": 16384, "insertsPerSecond": 0, "updatesPerSecond": 0, "deletesPerSecond": 0 },
            { "schema": "public", "name": "Orders", "estimatedRows": 4200000, "heapBytes": 1300000000, "indexBytes": 210000000, "insertsPerSecond": 80, "updatesPerSecond": 40.5, "deletesPerSecond": 2 },
            { "schema": "public", "name": "events", "estimatedRows": 3000, "heapBytes": 2500000, "indexBytes": 300000 }
          ]
        }
        """;

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static Task VerifyAsync<TAnalyzer>(string source, string? snapshot, string? editorConfig, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new Verifiers.CSharpAnalyzerVerifier<TAnalyzer>.Test { TestCode = source };
        if (snapshot != null)
        {
            test.TestState.AdditionalFiles.Add(("/project/safemigrations.stats.json", snapshot));
        }

        if (editorConfig != null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig + "\n"));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    private static string CreateIndexMessage(string table) =>
        string.Format(CultureInfo.InvariantCulture, StatementRules.CreateIndexNonConcurrently.MessageFormat, "CreateIndex 'IX_1'", table);

    private static string OrdersIndexBuild(DateTimeOffset takenAt) =>
        "; production estimate: 'Orders' has ~4.2M rows, 1.3 GB + 210 MB of indexes (statistics snapshot of " + Day(takenAt) + ")"
        + "; the index build takes an estimated ~22 s under the lock (1.3 GB at 60 MB/s, safe_migrations.write_mb_per_second)";

    [Fact]
    public async Task A_table_under_the_row_threshold_is_exempt_from_the_lock_rules()
    {
        var source = Migration("""
                migrationBuilder.CreateIndex(name: "IX_1", table: "Countries", column: "Code");
                migrationBuilder.Sql("CREATE INDEX ix_events_at ON events (at)");
        """);
        var lowerThreshold = Migration("""
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_1", table: "Countries", column: "Code")|};
                migrationBuilder.Sql({|SM0001:"CREATE INDEX ix_events_at ON events (at)"|});
        """);

        await VerifyAsync<CreateIndexNonConcurrentlyAnalyzer>(source, Snapshot(Yesterday), editorConfig: null);
        await VerifyAsync<CreateIndexNonConcurrentlyAnalyzer>(lowerThreshold, Snapshot(Yesterday), "safe_migrations.small_table_rows = 100");
    }

    [Fact]
    public async Task A_big_table_gets_its_size_and_an_estimated_duration_in_the_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.CreateIndex(name: "IX_1", table: "Orders", column: "CustomerId")|};
        """);

        await VerifyAsync<CreateIndexNonConcurrentlyAnalyzer>(source, Snapshot(Yesterday), editorConfig: null,
            new DiagnosticResult("SM0001", DiagnosticSeverity.Warning).WithLocation(0).WithMessage(CreateIndexMessage("Orders") + OrdersIndexBuild(Yesterday)));
    }

    [Fact]
    public async Task A_scan_uses_the_configured_scan_rate_and_a_rewrite_counts_the_indexes()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE \"Orders\" ALTER COLUMN \"Note\" SET NOT NULL"|});
        """);
        var rewrite = Migration("""
                {|#0:migrationBuilder.AddColumn<Guid>(name: "Token", table: "Orders", type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()")|};
        """);

        await VerifyAsync<SetNotNullAnalyzer>(source, Snapshot(Yesterday), "safe_migrations.scan_mb_per_second = 10",
            new DiagnosticResult("SM0006", DiagnosticSeverity.Warning).WithLocation(0).WithMessage(MessageWithoutSnapshot(new SetNotNullAnalyzer(), source)
                + "; production estimate: 'Orders' has ~4.2M rows, 1.3 GB + 210 MB of indexes (statistics snapshot of " + Day(Yesterday) + ")"
                + "; the scan takes an estimated ~2 min under the lock (1.3 GB at 10 MB/s, safe_migrations.scan_mb_per_second)"));
        await VerifyAsync<AddColumnRewritesTableAnalyzer>(rewrite, Snapshot(Yesterday), editorConfig: null,
            new DiagnosticResult("SM0004", DiagnosticSeverity.Warning).WithLocation(0).WithMessage(MessageWithoutSnapshot(new AddColumnRewritesTableAnalyzer(), rewrite)
                + "; production estimate: 'Orders' has ~4.2M rows, 1.3 GB + 210 MB of indexes (statistics snapshot of " + Day(Yesterday) + ")"
                + "; the table rewrite takes an estimated ~25 s under the lock (1.5 GB at 60 MB/s, safe_migrations.write_mb_per_second)"));
    }

    [Fact]
    public async Task A_table_the_snapshot_does_not_know_keeps_todays_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.CreateIndex(name: "IX_1", table: "Customers", column: "Email")|};
        """);

        await VerifyAsync<CreateIndexNonConcurrentlyAnalyzer>(source, Snapshot(Yesterday), editorConfig: null,
            new DiagnosticResult("SM0001", DiagnosticSeverity.Warning).WithLocation(0).WithMessage(CreateIndexMessage("Customers")));
    }

    [Fact]
    public async Task A_hot_table_is_an_error_only_when_the_threshold_is_configured()
    {
        var source = Migration("""
                {|#0:migrationBuilder.CreateIndex(name: "IX_1", table: "Orders", column: "CustomerId")|};
        """);

        await VerifyAsync<CreateIndexNonConcurrentlyAnalyzer>(source, Snapshot(Yesterday), "safe_migrations.hot_table_writes_per_second = 100",
            new DiagnosticResult("SM0001", DiagnosticSeverity.Error).WithLocation(0).WithMessage(CreateIndexMessage("Orders")
                + "; production estimate: 'Orders' has ~4.2M rows, 1.3 GB + 210 MB of indexes (statistics snapshot of " + Day(Yesterday) + ")"
                + ", a hot table at ~122.5 writes/s (safe_migrations.hot_table_writes_per_second = 100)"
                + "; the index build takes an estimated ~22 s under the lock (1.3 GB at 60 MB/s, safe_migrations.write_mb_per_second)"));
        await VerifyAsync<CreateIndexNonConcurrentlyAnalyzer>(source, Snapshot(Yesterday), "safe_migrations.hot_table_writes_per_second = 500",
            new DiagnosticResult("SM0001", DiagnosticSeverity.Warning).WithLocation(0));
    }

    [Fact]
    public async Task Compatibility_rules_flag_small_tables_and_keep_their_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.DropColumn(name: "Code", table: "Countries")|};
        """);

        var withoutSnapshot = MessageWithoutSnapshot(new DropColumnOutsideContractAnalyzer(), source);
        await VerifyAsync<DropColumnOutsideContractAnalyzer>(source, Snapshot(Yesterday), editorConfig: null,
            new DiagnosticResult("SM0013", DiagnosticSeverity.Warning).WithLocation(0).WithMessage(withoutSnapshot));
    }

    [Fact]
    public async Task An_old_snapshot_is_reported_once_per_compilation_with_its_age()
    {
        var takenAt = DateTimeOffset.UtcNow.AddDays(-45.5);
        var test = new Verifiers.CSharpAnalyzerVerifier<StatisticsSnapshotAnalyzer>.Test();
        test.TestState.Sources.Add(Migration("migrationBuilder.CreateIndex(name: \"IX_1\", table: \"Orders\", column: \"A\");", className: "First"));
        test.TestState.Sources.Add(Migration("migrationBuilder.CreateIndex(name: \"IX_2\", table: \"Orders\", column: \"B\");", className: "Second").Replace("public class AppDbContext : DbContext", "public class OtherDbContext : DbContext").Replace("typeof(AppDbContext)", "typeof(OtherDbContext)"));
        test.TestState.AdditionalFiles.Add(("/project/safemigrations.stats.json", Snapshot(takenAt)));
        test.ExpectedDiagnostics.Add(new DiagnosticResult("SM0019", DiagnosticSeverity.Info).WithNoLocation().WithMessage(
            "Statistics snapshot 'safemigrations.stats.json' was taken 45 days ago (" + Day(takenAt) + "), more than safe_migrations.statistics_max_age_days = 30: "
            + "table sizes, small-table exemptions and duration estimates come from it; take it again with dotnet build -t:SafeMigrationsStats (or dotnet safemigrations stats) against production"));
        await test.RunAsync(CancellationToken.None);

        // Current, or younger than a configured age: nothing.
        await VerifyAsync<StatisticsSnapshotAnalyzer>(Migration(""), Snapshot(Yesterday), editorConfig: null);
        await VerifyAsync<StatisticsSnapshotAnalyzer>(Migration(""), Snapshot(takenAt), "safe_migrations.statistics_max_age_days = 60");
        await VerifyAsync<StatisticsSnapshotAnalyzer>(Migration(""), snapshot: null, editorConfig: null);
    }

    [Fact]
    public async Task A_malformed_snapshot_gives_one_SM0019_and_the_rules_judge_as_without_one()
    {
        var broken = Snapshot(Yesterday).Replace("\"intervalSeconds\": 10,", "\"intervalSeconds\": 10");
        var source = Migration("""
                {|#0:migrationBuilder.CreateIndex(name: "IX_1", table: "Countries", column: "Code")|};
        """);

        await VerifyAsync<StatisticsSnapshotAnalyzer>(source, broken, editorConfig: null,
            new DiagnosticResult("SM0019", DiagnosticSeverity.Info).WithNoLocation().WithMessage(
                "Statistics snapshot 'safemigrations.stats.json' cannot be read (line 6: expected ','): every table is judged as without a snapshot; "
                + "take it again with dotnet build -t:SafeMigrationsStats (or dotnet safemigrations stats) against production"));
        await VerifyAsync<CreateIndexNonConcurrentlyAnalyzer>(source, broken, editorConfig: null,
            new DiagnosticResult("SM0001", DiagnosticSeverity.Warning).WithLocation(0).WithMessage(CreateIndexMessage("Countries")));
    }

    [Fact]
    public async Task A_snapshot_under_another_name_is_found_by_the_item_metadata_the_package_sets()
    {
        var test = new Verifiers.CSharpAnalyzerVerifier<CreateIndexNonConcurrentlyAnalyzer>.Test
        {
            TestCode = Migration("""
                migrationBuilder.CreateIndex(name: "IX_1", table: "Countries", column: "Code");
        """),
        };
        test.TestState.AdditionalFiles.Add(("/project/stats/production.json", Snapshot(Yesterday)));
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\n\n[/project/stats/production.json]\nbuild_metadata.AdditionalFiles.SafeMigrationsStatistics = true\n"));
        await test.RunAsync(CancellationToken.None);
    }

    /// <summary>The one message <paramref name="analyzer"/> reports on <paramref name="markedSource"/> (markup removed) without a snapshot.</summary>
    private static string MessageWithoutSnapshot(DiagnosticAnalyzer analyzer, string markedSource)
    {
        var source = markedSource.Replace("{|#0:", string.Empty).Replace("|}", string.Empty);
        var compilation = CSharpCompilation.Create(
            "NoSnapshot",
            new[] { CSharpSyntaxTree.ParseText(source) },
            Verifiers.TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var diagnostics = compilation.WithAnalyzers(ImmutableArray.Create(analyzer)).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return Assert.Single(diagnostics).GetMessage(CultureInfo.InvariantCulture);
    }
}
