using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using SafeMigrations.Analyzers.Rules;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistorySource;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistoryVerifier;

namespace SafeMigrations.Analyzers.Tests.Rules;

/// <summary>
/// SM0007 for timestamp → timestamptz with TimeZone UTC: no rewrite, but an index the earlier migrations put on the
/// column is rebuilt under ACCESS EXCLUSIVE (its operator class changes). Without such an index: silent.
/// </summary>
public class SM0007IndexRebuildTests
{
    private static string CreateEvents(string indexes) => """
                migrationBuilder.CreateTable(
                    name: "Events",
                    columns: table => new
                    {
                        Id = table.Column<long>(type: "bigint", nullable: false),
                        At = table.Column<DateTime>(type: "timestamp without time zone", nullable: false),
                        Kind = table.Column<int>(type: "integer", nullable: false),
                    },
                    constraints: table => table.PrimaryKey("PK_Events", x => x.Id));
        """ + indexes;

    private const string ToUtc = """
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
                {|#0:migrationBuilder.AlterColumn<DateTime>(name: "At", table: "Events", type: "timestamp with time zone", nullable: false, oldClrType: typeof(DateTime), oldType: "timestamp without time zone")|};
        """;

    [Fact]
    public async Task Indexed_column_is_reported_with_its_indexes()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                new DiagnosticResult(AlterColumnTypeRewritesTableAnalyzer.IndexRebuildRule).WithLocation(0).WithArguments(
                    "AlterColumn", "At", "Events", "timestamp without time zone to timestamp with time zone", "'IX_Events_At', 'IX_Events_Kind_At'"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateEvents("""
                migrationBuilder.CreateIndex(name: "IX_Events_At", table: "Events", column: "At");
                migrationBuilder.CreateIndex(name: "IX_Events_Kind_At", table: "Events", columns: new[] { "Kind", "At" });
                migrationBuilder.CreateIndex(name: "IX_Events_Kind", table: "Events", column: "Kind");
        """))),
            ("20240102000000_ToUtc.cs", Migration("20240102000000_ToUtc", ToUtc)));
    }

    [Fact]
    public async Task Unindexed_column_stays_silent()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateEvents("""
                migrationBuilder.CreateIndex(name: "IX_Events_Kind", table: "Events", column: "Kind");
        """))),
            ("20240102000000_ToUtc.cs", Migration("20240102000000_ToUtc", ToUtc.Replace("{|#0:", string.Empty).Replace(")|};", ");"))));
    }

    [Fact]
    public async Task An_index_dropped_before_the_change_is_not_reported()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateEvents("""
                migrationBuilder.CreateIndex(name: "IX_Events_At", table: "Events", column: "At");
        """))),
            ("20240102000000_ToUtc.cs", Migration("20240102000000_ToUtc", """
                migrationBuilder.DropIndex(name: "IX_Events_At", table: "Events");
        """ + ToUtc.Replace("{|#0:", string.Empty).Replace(")|};", ");"))));
    }

    [Fact]
    public async Task Type_without_oldType_uses_the_earlier_migrations_type_for_the_exemption_and_the_report()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                new DiagnosticResult(AlterColumnTypeRewritesTableAnalyzer.IndexRebuildRule).WithLocation(0).WithArguments(
                    "AlterColumn", "At", "Events", "timestamp without time zone (as the earlier migrations left it) to timestamp with time zone", "'IX_Events_At'"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateEvents("""
                migrationBuilder.CreateIndex(name: "IX_Events_At", table: "Events", column: "At");
        """))),
            ("20240102000000_ToUtc.cs", Migration("20240102000000_ToUtc", """
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
                {|#0:migrationBuilder.AlterColumn<DateTime>(name: "At", table: "Events", type: "timestamp with time zone", nullable: false)|};
        """)));
    }

    [Fact]
    public async Task Without_utc_only_the_rewrite_is_reported()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                new DiagnosticResult(AlterColumnTypeRewritesTableAnalyzer.Rule).WithLocation(0).WithArguments(
                    "AlterColumn", "At", "Events", "from timestamp without time zone to timestamp with time zone" + AlterColumnTypeRewritesTableAnalyzer.TimeZoneCondition),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateEvents("""
                migrationBuilder.CreateIndex(name: "IX_Events_At", table: "Events", column: "At");
        """))),
            ("20240102000000_Plain.cs", Migration("20240102000000_Plain", """
                {|#0:migrationBuilder.AlterColumn<DateTime>(name: "At", table: "Events", type: "timestamp with time zone", nullable: false, oldClrType: typeof(DateTime), oldType: "timestamp without time zone")|};
        """)));
    }
}
