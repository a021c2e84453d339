using System.Threading.Tasks;
using SafeMigrations.Analyzers.Rules;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistorySource;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistoryVerifier;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AddUniqueOrPrimaryKeyUnderLockAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

/// <summary>SM0010 with the history: a primary key on columns the earlier migrations left nullable also runs an implicit SET NOT NULL scan.</summary>
public class SM0010NullableKeyHistoryTests
{
    private const string Sequence = "create the index with CREATE UNIQUE INDEX CONCURRENTLY (suppressTransaction: true), then ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY USING INDEX";

    [Fact]
    public async Task Primary_key_using_an_index_on_a_nullable_column_is_flagged_with_message()
    {
        await VerifyAsync<AddUniqueOrPrimaryKeyUnderLockAnalyzer>(
            new[]
            {
                Verify.Diagnostic("SM0010").WithLocation(0).WithArguments(
                    "ADD CONSTRAINT 'PK_Orders' PRIMARY KEY USING INDEX", "IX_Orders_Code", "Orders", "column 'Code' is"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders.Replace("constraints: table => table.PrimaryKey(\"PK_Orders\", x => x.Id)", "constraints: null"))),
            ("20240102000000_IndexCode.cs", Migration("20240102000000_IndexCode", """
                migrationBuilder.Sql("CREATE UNIQUE INDEX CONCURRENTLY \"IX_Orders_Code\" ON \"Orders\" (\"Code\");", suppressTransaction: true);
                migrationBuilder.Sql("CREATE UNIQUE INDEX CONCURRENTLY \"IX_Orders_Id\" ON \"Orders\" USING btree (\"Id\");", suppressTransaction: true);
        """)),
            ("20240103000000_KeyOnCode.cs", Migration("20240103000000_KeyOnCode", """
                migrationBuilder.Sql({|#0:"ALTER TABLE \"Orders\" ADD CONSTRAINT \"PK_Orders\" PRIMARY KEY USING INDEX \"IX_Orders_Code\";"|});
        """)),
            ("20240104000000_KeyOnId.cs", Migration("20240104000000_KeyOnId", """
                // Id is NOT NULL: attaching the index is brief, not flagged.
                migrationBuilder.Sql("ALTER TABLE \"Orders\" ADD CONSTRAINT \"PK_Orders2\" PRIMARY KEY USING INDEX \"IX_Orders_Id\";");
                // An index no migration created: its columns are unknown, not flagged.
                migrationBuilder.Sql("ALTER TABLE \"Orders\" ADD CONSTRAINT \"PK_Orders3\" PRIMARY KEY USING INDEX \"IX_Elsewhere\";");
        """)));
    }

    [Fact]
    public async Task AddPrimaryKey_on_a_nullable_column_names_the_implicit_scan()
    {
        var note = "and as column 'Code' is nullable, PostgreSQL also runs an implicit SET NOT NULL that scans all of 'Orders' under the same lock: make it NOT NULL through a validated check first (migrationBuilder.SetNotNullThroughCheck(...)), then ";
        await VerifyAsync<AddUniqueOrPrimaryKeyUnderLockAnalyzer>(
            new[]
            {
                Verify.Diagnostic("SM0010").WithLocation(0).WithArguments("AddPrimaryKey 'PK_Code'", "Orders", note + Sequence),
                Verify.Diagnostic("SM0010").WithLocation(1).WithArguments("AddPrimaryKey 'PK_Id'", "Orders", Sequence),
                Verify.Diagnostic("SM0010").WithLocation(2).WithArguments("AddPrimaryKey 'PK_Note'", "Orders", Sequence),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240102000000_Keys.cs", Migration("20240102000000_Keys", """
                {|#0:migrationBuilder.AddPrimaryKey(name: "PK_Code", table: "Orders", column: "Code")|};
                {|#1:migrationBuilder.AddPrimaryKey(name: "PK_Id", table: "Orders", column: "Id")|};
                // Made NOT NULL by an earlier step of the same migration: no implicit scan left.
                migrationBuilder.AlterColumn<string>(name: "Note", table: "Orders", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true);
                {|#2:migrationBuilder.AddPrimaryKey(name: "PK_Note", table: "Orders", column: "Note")|};
        """)));
    }
}
