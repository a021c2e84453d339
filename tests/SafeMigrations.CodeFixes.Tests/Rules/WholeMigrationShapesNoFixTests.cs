using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using RenameColumn = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.RenameColumnFixer>;
using DropTable = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.DropTableOutsideContractFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

/// <summary>
/// Shapes whose message describes the whole migration get no code fix: the usual rewrite (expand steps, a contract-phase
/// drop) would collide with the column or table the same migration adds again under the old name.
/// </summary>
public class WholeMigrationShapesNoFixTests
{
    [Fact]
    public Task Rename_whose_old_name_is_readded_offers_no_fix()
    {
        var source = Migration("""
                {|SM0011:migrationBuilder.RenameColumn(name: "Name", table: "Customers", newName: "FullName")|};
                migrationBuilder.AddColumn<string>(name: "Name", table: "Customers", type: "text", nullable: true);
        """);
        return RenameColumn.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public Task Dropped_and_recreated_table_offers_no_fix()
    {
        var source = Migration("""
                {|SM0014:migrationBuilder.DropTable(name: "Orders")|};
                migrationBuilder.CreateTable(name: "Orders", columns: table => new { Id = table.Column<long>(type: "bigint", nullable: false) });
        """);
        return DropTable.VerifyCodeFixAsync(source, source);
    }
}
