using System.Threading.Tasks;
using SafeMigrations.Analyzers.Rules;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistorySource;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistoryVerifier;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AlterColumnTypeRewritesTableAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

/// <summary>SM0007 for an AlterColumn without type:/oldType: (older EF scaffolds): old type from the earlier migrations, new from the target model.</summary>
public class SM0007HistoryTypeTests
{
    private const string CreateInvoices = """
                migrationBuilder.CreateTable(
                    name: "Invoices",
                    columns: table => new
                    {
                        Id = table.Column<long>(type: "bigint", nullable: false),
                        Number = table.Column<string>(nullable: true),
                        Total = table.Column<int>(type: "integer", nullable: false),
                    });
        """;

    private static string InvoicesModel(string number) => Entity(
        "Invoice",
        "Invoices",
        "b.Property<long>(\"Id\").HasColumnType(\"bigint\")",
        number,
        "b.Property<int>(\"Total\").HasColumnType(\"integer\")");

    [Fact]
    public async Task Text_to_varchar_rewrites_and_the_later_revert_does_not()
    {
        const string narrowedNumber = "b.Property<string>(\"Number\").HasMaxLength(100).HasColumnType(\"character varying(100)\")";
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                Verify.Diagnostic("SM0007").WithLocation(0).WithArguments(
                    "AlterColumn", "Number", "Invoices",
                    "from text to character varying(100) (the call names no type: the old one is from the earlier migrations, the new one from the target model)"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateInvoices)),
            ("20240101000000_Initial.Designer.cs", Designer("20240101000000_Initial", InvoicesModel("b.Property<string>(\"Number\").HasColumnType(\"text\")"))),
            ("20240102000000_LimitNumber.cs", Migration("20240102000000_LimitNumber", """
                {|#0:migrationBuilder.AlterColumn<string>(name: "Number", table: "Invoices", maxLength: 100, nullable: true, oldClrType: typeof(string), oldNullable: true)|};
        """)),
            ("20240102000000_LimitNumber.Designer.cs", Designer("20240102000000_LimitNumber", InvoicesModel(narrowedNumber))),
            ("20240103000000_UnlimitNumber.cs", Migration("20240103000000_UnlimitNumber", """
                migrationBuilder.AlterColumn<string>(name: "Number", table: "Invoices", nullable: true, oldClrType: typeof(string), oldMaxLength: 100, oldNullable: true);
        """)),
            ("20240103000000_UnlimitNumber.Designer.cs", Designer("20240103000000_UnlimitNumber", InvoicesModel("b.Property<string>(\"Number\").HasColumnType(\"text\")"))));
    }

    [Fact]
    public async Task Without_designer_files_the_clr_mapping_gives_the_types()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateInvoices)),
            ("20240102000000_Changes.cs", Migration("20240102000000_Changes", """
                {|SM0007:migrationBuilder.AlterColumn<string>(name: "Number", table: "Invoices", maxLength: 100, nullable: true, oldClrType: typeof(string), oldNullable: true)|};
                {|SM0007:migrationBuilder.AlterColumn<long>(name: "Total", table: "Invoices", nullable: false, oldClrType: typeof(int))|};
        """)));
    }

    [Fact]
    public async Task Type_without_oldType_uses_the_known_old_type()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                Verify.Diagnostic("SM0007").WithLocation(0).WithArguments("AlterColumn", "Total", "Invoices", "from integer (as the earlier migrations left it) to bigint"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateInvoices)),
            ("20240102000000_Changes.cs", Migration("20240102000000_Changes", """
                {|#0:migrationBuilder.AlterColumn<long>(name: "Total", table: "Invoices", type: "bigint", nullable: false)|};
                // Already bigint: no change of type, no rewrite (flagged as an unknown old type without the history).
                migrationBuilder.AlterColumn<long>(name: "Id", table: "Invoices", type: "bigint", nullable: false);
        """)));
    }

    [Fact]
    public async Task Unknown_old_or_new_type_is_not_judged()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateInvoices)),
            ("20240102000000_Changes.cs", Migration("20240102000000_Changes", """
                // A table no migration created.
                migrationBuilder.AlterColumn<string>(name: "Number", table: "Legacy", maxLength: 100, nullable: true, oldClrType: typeof(string), oldNullable: true);
                // DateTime maps to timestamp or timestamptz depending on the Npgsql version: unknown.
                migrationBuilder.AlterColumn<DateTime>(name: "Number", table: "Invoices", nullable: true, oldClrType: typeof(string), oldNullable: true);
        """)),
            // Has a target model that does not map the column: unknown, not the CLR guess.
            ("20240102000000_Changes.Designer.cs", Designer("20240102000000_Changes")));
    }
}
