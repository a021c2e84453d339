using System.Threading;
using System.Threading.Tasks;
using SafeMigrations.Analyzers.Tests.Verifiers;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using RenameColumn = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.RenameColumnFixer>;
using DropTable = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.DropTableOutsideContractFixer>;
using TypeChange = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.AlterColumnTypeRewritesTableFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

/// <summary>
/// Shapes whose message describes the whole migration get no code fix: the usual rewrite (expand steps, a contract-phase
/// drop) would collide with the column or table the same migration adds again under the old name. Nor does a type change
/// judged from the history (the swap needs the call's type).
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

    [Fact]
    public Task Type_change_judged_from_the_history_offers_no_fix()
    {
        var test = new TypeChange.Test();
        var initial = HistorySource.Migration("20240101000000_Initial", HistorySource.CreateOrders);
        var change = HistorySource.Migration("20240102000000_LimitCode", """
                {|SM0007:migrationBuilder.AlterColumn<string>(name: "Code", table: "Orders", maxLength: 100, nullable: true, oldClrType: typeof(string), oldNullable: true)|};
        """);
        foreach (var state in new[] { test.TestState, test.FixedState })
        {
            state.Sources.Add(("/0/AppDbContext.cs", HistorySource.Context));
            state.Sources.Add(("/0/20240101000000_Initial.cs", initial));
            state.Sources.Add(("/0/20240102000000_LimitCode.cs", change));
        }

        return test.RunAsync(CancellationToken.None);
    }
}
