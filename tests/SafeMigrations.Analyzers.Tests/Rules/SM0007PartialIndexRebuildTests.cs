using System.Threading.Tasks;
using SafeMigrations.Analyzers.Rules;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistorySource;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistoryVerifier;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AlterColumnTypeRewritesTableAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

/// <summary>
/// SM0007: an AlterColumn whose TYPE clause rewrites no row still makes PostgreSQL rebuild the partial indexes whose
/// WHERE clause uses the column (measured on PostgreSQL 15 by relfilenode: a widening and a same-type TYPE clause both
/// rebuild such an index; a plain index on the column is kept; DROP NOT NULL alone rebuilds nothing).
/// </summary>
public class SM0007PartialIndexRebuildTests
{
    private const string CreateInvoices = """
                migrationBuilder.CreateTable(
                    name: "Invoices",
                    columns: table => new
                    {
                        Id = table.Column<long>(type: "bigint", nullable: false),
                        Status = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                        IsDeleted = table.Column<bool>(type: "boolean", nullable: false),
                        Note = table.Column<string>(type: "text", nullable: true),
                        Code = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: true),
                        deleted_at = table.Column<System.DateTime>(type: "timestamp with time zone", nullable: true),
                    });
                migrationBuilder.CreateIndex(name: "IX_Invoices_Note_live", table: "Invoices", column: "Note", filter: "\"IsDeleted\" = false");
                migrationBuilder.CreateIndex(name: "IX_Invoices_Note_open", table: "Invoices", column: "Note", filter: "\"Status\" IS NOT NULL");
                migrationBuilder.CreateIndex(name: "IX_Invoices_Status", table: "Invoices", column: "Status");
                migrationBuilder.CreateIndex(name: "IX_Invoices_Code", table: "Invoices", column: "Code");
                migrationBuilder.CreateIndex(name: "ix_invoices_current", table: "Invoices", column: "Id", filter: "deleted_at IS NULL");
        """;

    private static string InvoicesModel(string status = "character varying(50)", string code = "character varying(10)", bool deletedRequired = true) => Entity(
        "Invoice",
        "Invoices",
        "b.Property<long>(\"Id\").HasColumnType(\"bigint\")",
        "b.Property<string>(\"Status\").HasColumnType(\"" + status + "\")",
        "b.Property<bool>(\"IsDeleted\")" + (deletedRequired ? ".IsRequired()" : string.Empty) + ".HasColumnType(\"boolean\")",
        "b.Property<string>(\"Note\").HasColumnType(\"text\")",
        "b.Property<string>(\"Code\").HasColumnType(\"" + code + "\")",
        "b.Property<System.DateTime?>(\"deleted_at\").HasColumnType(\"timestamp with time zone\")");

    private const string DropNotNullOnIsDeleted = """
                {|#0:migrationBuilder.AlterColumn<bool>(name: "IsDeleted", table: "Invoices", type: "boolean", nullable: true, oldClrType: typeof(bool), oldType: "boolean")|};
        """;

    [Fact]
    public async Task Without_a_target_model_a_nullability_change_carries_a_same_type_clause_that_rebuilds_the_partial_index()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                Verify.Diagnostic("SM0007").WithLocation(0).WithArguments(
                    "AlterColumn", "IsDeleted", "Invoices",
                    "is written with a TYPE clause of the type it already has (this migration has no target model, no Designer file with BuildTargetModel, so EF Core cannot tell that the type is unchanged; keeping the Designer file that dotnet ef migrations add writes avoids the clause)",
                    "'IX_Invoices_Note_live'"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateInvoices)),
            ("20240102000000_AllowDeletedNull.cs", Migration("20240102000000_AllowDeletedNull", DropNotNullOnIsDeleted)));
    }

    [Fact]
    public async Task With_a_target_model_the_same_nullability_change_writes_no_type_clause()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateInvoices)),
            ("20240102000000_AllowDeletedNull.cs", Migration("20240102000000_AllowDeletedNull", DropNotNullOnIsDeleted.Replace("{|#0:", string.Empty).Replace(")|};", ");"))),
            ("20240102000000_AllowDeletedNull.Designer.cs", Designer("20240102000000_AllowDeletedNull", InvoicesModel(deletedRequired: false))));
    }

    [Fact]
    public async Task Widening_a_varchar_a_partial_index_filters_on_rebuilds_that_index_and_not_the_plain_one()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                Verify.Diagnostic("SM0007").WithLocation(0).WithArguments(
                    "AlterColumn", "Status", "Invoices", "changes its type from character varying(50) to character varying(100)", "'IX_Invoices_Note_open'"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateInvoices)),
            ("20240102000000_WidenStatus.cs", Migration("20240102000000_WidenStatus", """
                {|#0:migrationBuilder.AlterColumn<string>(name: "Status", table: "Invoices", type: "character varying(100)", maxLength: 100, nullable: true, oldClrType: typeof(string), oldType: "character varying(50)", oldMaxLength: 50, oldNullable: true)|};
        """)),
            ("20240102000000_WidenStatus.Designer.cs", Designer("20240102000000_WidenStatus", InvoicesModel(status: "character varying(100)"))));
    }

    [Fact]
    public async Task Widening_a_varchar_with_only_a_plain_index_stays_silent()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateInvoices)),
            ("20240102000000_WidenCode.cs", Migration("20240102000000_WidenCode", """
                migrationBuilder.AlterColumn<string>(name: "Code", table: "Invoices", type: "character varying(20)", maxLength: 20, nullable: true, oldClrType: typeof(string), oldType: "character varying(10)", oldMaxLength: 10, oldNullable: true);
        """)),
            ("20240102000000_WidenCode.Designer.cs", Designer("20240102000000_WidenCode", InvoicesModel(code: "character varying(20)"))));
    }

    [Fact]
    public async Task An_unquoted_lower_case_column_in_the_filter_counts_and_a_table_created_in_the_same_migration_does_not()
    {
        await VerifyAsync<AlterColumnTypeRewritesTableAnalyzer>(
            new[]
            {
                Verify.Diagnostic("SM0007").WithLocation(0).WithArguments(
                    "AlterColumn", "deleted_at", "Invoices",
                    "is written with a TYPE clause of the type it already has (this migration has no target model, no Designer file with BuildTargetModel, so EF Core cannot tell that the type is unchanged; keeping the Designer file that dotnet ef migrations add writes avoids the clause)",
                    "'ix_invoices_current'"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateInvoices + """
                migrationBuilder.AlterColumn<System.DateTime>(name: "deleted_at", table: "Invoices", type: "timestamp with time zone", nullable: false, oldClrType: typeof(System.DateTime), oldType: "timestamp with time zone", oldNullable: true);
        """)),
            ("20240102000000_RequireDeletedAt.cs", Migration("20240102000000_RequireDeletedAt", """
                {|#0:migrationBuilder.AlterColumn<System.DateTime>(name: "deleted_at", table: "Invoices", type: "timestamp with time zone", nullable: true, oldClrType: typeof(System.DateTime), oldType: "timestamp with time zone")|};
        """)));
    }
}
