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

    private static string CreateReadings(string indexes) => """
                migrationBuilder.CreateTable(
                    name: "readings",
                    schema: "lab",
                    columns: table => new
                    {
                        id = table.Column<long>(type: "bigint", nullable: false),
                        at = table.Column<DateTime>(type: "timestamp without time zone", nullable: false),
                        stamped = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                        day = table.Column<DateTime>(type: "date", nullable: false),
                    },
                    constraints: table => table.PrimaryKey("PK_readings", x => x.id));
        """ + indexes;

    private const string ReadingIndexes = """
                migrationBuilder.CreateIndex(name: "IX_readings_at", schema: "lab", table: "readings", column: "at");
                migrationBuilder.CreateIndex(name: "IX_readings_stamped", schema: "lab", table: "readings", column: "stamped");
                migrationBuilder.CreateIndex(name: "IX_readings_day", schema: "lab", table: "readings", column: "day");
        """;

    [Fact]
    public async Task Raw_change_of_an_indexed_column_the_earlier_migrations_left_as_timestamp_is_reported()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                new DiagnosticResult(AlterColumnTypeRewritesTableAnalyzer.IndexRebuildRule).WithLocation(0).WithArguments(
                    "ALTER COLUMN ... TYPE", "at", "lab.readings", "timestamp without time zone (as the earlier migrations left it) to timestamp with time zone", "'IX_readings_at'"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateReadings(ReadingIndexes))),
            ("20240102000000_ToUtc.cs", Migration("20240102000000_ToUtc", """
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
                migrationBuilder.Sql({|#0:"ALTER TABLE \"lab\".\"readings\" ALTER COLUMN \"at\" SET DATA TYPE timestamp with time zone USING \"at\"::timestamptz"|});
        """)));

        // Two columns in one statement: the one with the other timestamp type and an index is reported.
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                new DiagnosticResult(AlterColumnTypeRewritesTableAnalyzer.IndexRebuildRule).WithLocation(1).WithArguments(
                    "ALTER COLUMN ... TYPE", "at", "lab.readings", "timestamp without time zone (as the earlier migrations left it) to timestamptz", "'IX_readings_at'"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateReadings(ReadingIndexes))),
            ("20240103000000_Both.cs", Migration("20240103000000_Both", """
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
                migrationBuilder.Sql({|#1:"ALTER TABLE lab.readings ALTER COLUMN at TYPE timestamptz, ALTER COLUMN stamped TYPE timestamptz"|});
        """)));
    }

    [Fact]
    public async Task Raw_look_alikes_stay_silent()
    {
        // Already timestamptz (no change), a date column (the rewrite rule's business, not the index one), an unindexed
        // timestamp column, another table's name case (Readings is not readings), and a table no migration created.
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateReadings("""
                migrationBuilder.CreateIndex(name: "IX_readings_stamped", schema: "lab", table: "readings", column: "stamped");
                migrationBuilder.CreateIndex(name: "IX_readings_id_day", schema: "lab", table: "readings", columns: new[] { "id", "day" });
        """))),
            ("20240102000000_ToUtc.cs", Migration("20240102000000_ToUtc", """
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
                migrationBuilder.Sql("ALTER TABLE lab.readings ALTER COLUMN stamped TYPE timestamptz");
                migrationBuilder.Sql("ALTER TABLE lab.readings ALTER COLUMN at TYPE timestamptz");
                migrationBuilder.Sql("ALTER TABLE lab.readings ALTER COLUMN day TYPE timestamptz");
                migrationBuilder.Sql("ALTER TABLE lab.\"Readings\" ALTER COLUMN stamped TYPE timestamp");
                migrationBuilder.Sql("ALTER TABLE lab.other ALTER COLUMN at TYPE timestamptz");
        """)));
    }

    [Fact]
    public async Task Raw_change_without_utc_or_to_a_lower_precision_gets_only_the_rewrite_report()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                new DiagnosticResult(AlterColumnTypeRewritesTableAnalyzer.Rule).WithLocation(0).WithArguments(
                    "ALTER COLUMN ... TYPE", "at", "lab.readings", "to timestamptz" + AlterColumnTypeRewritesTableAnalyzer.TimeZoneCondition),
                new DiagnosticResult(AlterColumnTypeRewritesTableAnalyzer.Rule).WithLocation(1).WithArguments(
                    "ALTER COLUMN ... TYPE", "at", "lab.readings", "to timestamptz(3) (the old type is unknown, so a rewrite is assumed)"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateReadings(ReadingIndexes))),
            ("20240102000000_Plain.cs", Migration("20240102000000_Plain", """
                migrationBuilder.Sql({|#0:"ALTER TABLE lab.readings ALTER COLUMN at TYPE timestamptz"|});
        """)),
            ("20240103000000_Low.cs", Migration("20240103000000_Low", """
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
                migrationBuilder.Sql({|#1:"ALTER TABLE lab.readings ALTER COLUMN at TYPE timestamptz(3)"|});
        """)));
    }
}
