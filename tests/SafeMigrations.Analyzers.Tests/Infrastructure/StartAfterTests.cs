using System;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using SafeMigrations.Analyzers.Rules;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistorySource;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistoryVerifier;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AlterColumnTypeRewritesTableAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>
/// safe_migrations.start_after: adopting SafeMigrations on a project whose older migrations are already deployed. Those
/// are not reported, later ones are, and the older ones still build the schema history the later ones are judged on.
/// </summary>
public class StartAfterTests
{
    private const string CreateOrders = """
                migrationBuilder.CreateTable(
                    name: "Orders",
                    columns: table => new
                    {
                        Id = table.Column<long>(type: "bigint", nullable: false),
                        Total = table.Column<int>(type: "integer", nullable: false),
                        Note = table.Column<string>(type: "text", nullable: true),
                    });
        """;

    private const string IndexNote = """
                migrationBuilder.CreateIndex(name: "IX_Orders_Note", table: "Orders", column: "Note");
        """;

    private const string FlaggedIndexTotal = """
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_Total", table: "Orders", column: "Total")|};
        """;

    [Fact]
    public async Task Migrations_up_to_the_id_are_not_reported_and_later_ones_are()
    {
        await VerifyWithConfigAsync<CreateIndexNonConcurrentlyAnalyzer>(
            "safe_migrations.start_after = 20240102000000_IndexNote",
            Array.Empty<DiagnosticResult>(),
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240102000000_IndexNote.cs", Migration("20240102000000_IndexNote", IndexNote)),
            ("20240103000000_IndexTotal.cs", Migration("20240103000000_IndexTotal", FlaggedIndexTotal)));
    }

    [Fact]
    public async Task Without_the_option_every_migration_is_reported()
    {
        await VerifyWithConfigAsync<CreateIndexNonConcurrentlyAnalyzer>(
            null,
            Array.Empty<DiagnosticResult>(),
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240102000000_IndexNote.cs", Migration("20240102000000_IndexNote", """
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_Note", table: "Orders", column: "Note")|};
        """)),
            ("20240103000000_IndexTotal.cs", Migration("20240103000000_IndexTotal", FlaggedIndexTotal)));
    }

    [Fact]
    public async Task A_timestamp_covers_the_migrations_of_that_second_and_before()
    {
        await VerifyWithConfigAsync<CreateIndexNonConcurrentlyAnalyzer>(
            "safe_migrations.start_after = 20240102000000",
            Array.Empty<DiagnosticResult>(),
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240102000000_IndexNote.cs", Migration("20240102000000_IndexNote", IndexNote)),
            ("20240102000001_IndexTotal.cs", Migration("20240102000001_IndexTotal", FlaggedIndexTotal)));
    }

    [Fact]
    public async Task Skipped_migrations_still_give_the_history_later_ones_are_judged_on()
    {
        // The old migration itself rewrites Orders (not reported: deployed). The new one names no type: its old type,
        // bigint after the skipped migration's change, comes from the history; bigint -> integer rewrites.
        await VerifyWithConfigAsync<AlterColumnTypeRewritesTableAnalyzer>(
            "safe_migrations.start_after = 20240102000000_WidenTotal",
            new[]
            {
                Verify.Diagnostic("SM0007").WithLocation(0).WithArguments(
                    "AlterColumn", "Total", "Orders",
                    "from bigint to integer (the call names no type: the old one is from the earlier migrations, the new one from the target model)"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240102000000_WidenTotal.cs", Migration("20240102000000_WidenTotal", """
                migrationBuilder.AlterColumn<long>(name: "Total", table: "Orders", type: "bigint", nullable: false, oldClrType: typeof(int), oldType: "integer");
        """)),
            ("20240103000000_NarrowTotal.cs", Migration("20240103000000_NarrowTotal", """
                {|#0:migrationBuilder.AlterColumn<int>(name: "Total", table: "Orders", nullable: false, oldClrType: typeof(long))|};
        """)),
            ("20240103000000_NarrowTotal.Designer.cs", Designer("20240103000000_NarrowTotal", Entity(
                "Order", "Orders", "b.Property<long>(\"Id\").HasColumnType(\"bigint\")", "b.Property<int>(\"Total\").HasColumnType(\"integer\")", "b.Property<string>(\"Note\").HasColumnType(\"text\")"))));
    }

    [Theory]
    [InlineData("2024-01-02")] // no timestamp, so an id: it names no migration
    [InlineData("20240102000000_IndexNotes")] // a typo of the real id that sorts after it: covering by order alone would skip it
    [InlineData("20240102 000000")] // no id has white space
    public async Task A_value_that_names_no_migration_checks_every_migration(string value)
    {
        await VerifyWithConfigAsync<CreateIndexNonConcurrentlyAnalyzer>(
            "safe_migrations.start_after = " + value,
            Array.Empty<DiagnosticResult>(),
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240102000000_IndexNote.cs", Migration("20240102000000_IndexNote", """
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_Note", table: "Orders", column: "Note")|};
        """)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_skipped_migrations_up_and_down_are_not_reported(bool skipped)
    {
        string Flag(string step) => skipped ? step : "{|SM0014:" + step + "|}";
        await VerifyWithConfigAsync<DropTableOutsideContractAnalyzer>(
            (skipped ? "safe_migrations.start_after = 20240102000000_Archive\n" : string.Empty) + "safe_migrations.analyze_down = true",
            Array.Empty<DiagnosticResult>(),
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders + """
                migrationBuilder.CreateTable(name: "Customers", columns: table => new { Id = table.Column<long>(type: "bigint", nullable: false) });
        """)),
            ("20240102000000_Archive.cs", Migration(
                "20240102000000_Archive",
                "        " + Flag("migrationBuilder.DropTable(name: \"Orders\")") + ";",
                down: "        " + Flag("migrationBuilder.DropTable(name: \"Customers\")") + ";")));
    }

    private static Task VerifyWithProjectPropertyAsync(string property, string? editorConfig, params (string Path, string Source)[] files)
    {
        var test = new Verifiers.CSharpAnalyzerVerifier<CreateIndexNonConcurrentlyAnalyzer>.Test();
        test.TestState.Sources.Add(("/0/AppDbContext.cs", Context));
        foreach (var file in files)
        {
            test.TestState.Sources.Add(("/0/" + file.Path, file.Source));
        }

        // What MSBuild writes for a CompilerVisibleProperty (the package's targets make SafeMigrationsStartAfter one).
        test.TestState.AnalyzerConfigFiles.Add(("/0/Project.GeneratedMSBuildEditorConfig.editorconfig", "is_global = true\nbuild_property.SafeMigrationsStartAfter = " + property + "\n"));
        if (editorConfig != null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig + "\n"));
        }

        return test.RunAsync(System.Threading.CancellationToken.None);
    }

    [Fact]
    public async Task The_msbuild_property_sets_the_start_too()
    {
        await VerifyWithProjectPropertyAsync(
            "20240102000000_IndexNote",
            null,
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240102000000_IndexNote.cs", Migration("20240102000000_IndexNote", IndexNote)),
            ("20240103000000_IndexTotal.cs", Migration("20240103000000_IndexTotal", FlaggedIndexTotal)));
    }

    [Fact]
    public async Task The_editorconfig_key_wins_over_the_msbuild_property()
    {
        await VerifyWithProjectPropertyAsync(
            "20240103000000_IndexTotal",
            "safe_migrations.start_after = 20240101000000_Initial",
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240102000000_IndexNote.cs", Migration("20240102000000_IndexNote", """
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_Note", table: "Orders", column: "Note")|};
        """)),
            ("20240103000000_IndexTotal.cs", Migration("20240103000000_IndexTotal", FlaggedIndexTotal)));
    }
}
