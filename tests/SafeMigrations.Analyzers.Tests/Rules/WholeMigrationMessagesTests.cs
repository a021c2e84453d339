using System.Threading.Tasks;
using SafeMigrations.Analyzers.Rules;
using SafeMigrations.Analyzers.Tests.Verifiers;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistorySource;
using static SafeMigrations.Analyzers.Tests.Verifiers.HistoryVerifier;
using RenameColumn = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.RenameColumnAnalyzer>;
using DropColumn = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.DropColumnOutsideContractAnalyzer>;
using DropTable = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.DropTableOutsideContractAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

/// <summary>Messages that describe what the whole migration does to a dropped or renamed table or column (issue 9, item 5).</summary>
public class WholeMigrationMessagesTests
{
    [Fact]
    public async Task Rename_whose_old_name_is_added_again_says_the_old_version_reads_nulls()
    {
        var source = MigrationSource.Migration("""
                {|#0:migrationBuilder.RenameColumn(name: "Name", table: "Customers", newName: "FullName")|};
                migrationBuilder.AddColumn<string>(name: "Name", table: "Customers", type: "text", nullable: true);
                migrationBuilder.Sql({|#1:"ALTER TABLE customers RENAME COLUMN code TO legacy_code; ALTER TABLE customers ADD COLUMN code integer;"|});
                // The old name is added to another table: the usual message.
                {|#2:migrationBuilder.RenameColumn(name: "Title", table: "Customers", newName: "Heading")|};
                migrationBuilder.AddColumn<string>(name: "Title", table: "Orders", type: "text", nullable: true);
        """);
        var readded = RenameColumnAnalyzer.ReaddedRule;
        await RenameColumn.VerifyAnalyzerAsync(
            source,
            RenameColumn.Diagnostic("SM0011").WithLocation(0).WithMessageFormat(readded.MessageFormat).WithArguments("RenameColumn", "Name", "Customers", "FullName"),
            RenameColumn.Diagnostic("SM0011").WithLocation(1).WithMessageFormat(readded.MessageFormat).WithArguments("RENAME COLUMN", "code", "customers", "legacy_code"),
            RenameColumn.Diagnostic("SM0011").WithLocation(2).WithMessageFormat(RenameColumnAnalyzer.Rule.MessageFormat).WithArguments("RenameColumn", "Title", "Customers", "Heading"));
    }

    [Fact]
    public async Task DropTable_then_CreateTable_of_the_same_name_says_the_data_is_lost()
    {
        var source = MigrationSource.Migration("""
                {|#0:migrationBuilder.DropTable(name: "Orders")|};
                migrationBuilder.CreateTable(name: "Orders", columns: table => new { Id = table.Column<long>(type: "bigint", nullable: false) });
                migrationBuilder.Sql({|#1:"DROP TABLE audit; CREATE TABLE audit (id bigint);"|});
                // Another table is created: the usual message.
                {|#2:migrationBuilder.DropTable(name: "Carts")|};
                migrationBuilder.CreateTable(name: "Baskets", columns: table => new { Id = table.Column<long>(type: "bigint", nullable: false) });
        """);
        var recreated = DropTableOutsideContractAnalyzer.RecreatedRule;
        await DropTable.VerifyAnalyzerAsync(
            source,
            DropTable.Diagnostic("SM0014").WithLocation(0).WithMessageFormat(recreated.MessageFormat).WithArguments("table 'Orders'"),
            DropTable.Diagnostic("SM0014").WithLocation(1).WithMessageFormat(recreated.MessageFormat).WithArguments("table 'audit'"),
            DropTable.Diagnostic("SM0014").WithLocation(2).WithMessageFormat(DropTableOutsideContractAnalyzer.Rule.MessageFormat).WithArguments("table 'Carts'"));
    }

    [Fact]
    public async Task Drop_and_readd_with_another_type_says_the_old_version_fails_on_the_type()
    {
        var retyped = DropColumnOutsideContractAnalyzer.RetypedRule;
        await VerifyAsync<DropColumnOutsideContractAnalyzer>(
            new[]
            {
                DropColumn.Diagnostic("SM0013").WithLocation(0).WithMessageFormat(retyped.MessageFormat).WithArguments("Code", "Orders", "integer", "text"),
                DropColumn.Diagnostic("SM0013").WithLocation(1).WithMessageFormat(retyped.MessageFormat).WithArguments("Note", "Orders", "jsonb", "text"),
                DropColumn.Diagnostic("SM0013").WithLocation(2).WithMessageFormat(DropColumnOutsideContractAnalyzer.Rule.MessageFormat).WithArguments("column 'Status'", "Orders"),
                DropColumn.Diagnostic("SM0013").WithLocation(3).WithMessageFormat(DropColumnOutsideContractAnalyzer.Rule.MessageFormat).WithArguments("column 'Code'", "Legacy"),
            },
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders)),
            ("20240102000000_Retype.cs", Migration("20240102000000_Retype", """
                {|#0:migrationBuilder.DropColumn(name: "Code", table: "Orders")|};
                migrationBuilder.AddColumn<int>(name: "Code", table: "Orders", type: "integer", nullable: true);
                migrationBuilder.Sql({|#1:"ALTER TABLE \"Orders\" DROP COLUMN \"Note\"; ALTER TABLE \"Orders\" ADD COLUMN \"Note\" jsonb;"|});
                // Same type again: the usual message.
                {|#2:migrationBuilder.DropColumn(name: "Status", table: "Orders")|};
                migrationBuilder.AddColumn<string>(name: "Status", table: "Orders", type: "text", nullable: true);
                // Old type unknown (a table no migration created): the usual message.
                {|#3:migrationBuilder.DropColumn(name: "Code", table: "Legacy")|};
                migrationBuilder.AddColumn<int>(name: "Code", table: "Legacy", type: "integer", nullable: true);
        """)));
    }

    [Fact]
    public async Task Dropping_an_index_no_migration_created_takes_no_lock()
    {
        await VerifyAsync<DropIndexNonConcurrentlyAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders + """

                migrationBuilder.CreateIndex(name: "IX_Orders_Code", table: "Orders", column: "Code");
                migrationBuilder.Sql("CREATE INDEX ix_orders_note ON \"Orders\" (\"Note\");");
        """)),
            ("20240102000000_Cleanup.cs", Migration("20240102000000_Cleanup", """
                migrationBuilder.Sql("DROP INDEX IF EXISTS ix_never_created;");
                migrationBuilder.DropIndex(name: "IX_Never_Created", table: "Orders");
                {|SM0002:migrationBuilder.DropIndex(name: "IX_Orders_Code", table: "Orders")|};
                migrationBuilder.Sql({|SM0002:"DROP INDEX IF EXISTS ix_orders_note;"|});
                // The constraint's index of CreateTable's primary key exists.
                migrationBuilder.Sql({|SM0002:"DROP INDEX IF EXISTS \"PK_Orders\";"|});
                // Created earlier in this migration.
                migrationBuilder.CreateIndex(name: "IX_Orders_Status", table: "Orders", column: "Status");
                {|SM0002:migrationBuilder.DropIndex(name: "IX_Orders_Status", table: "Orders")|};
                // Without IF EXISTS a missing index fails: flagged as before.
                migrationBuilder.Sql({|SM0002:"DROP INDEX ix_other;"|});
        """)));
    }

    [Fact]
    public async Task An_index_follows_its_table_through_a_rename()
    {
        await VerifyAsync<DropIndexNonConcurrentlyAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders + """

                migrationBuilder.CreateIndex(name: "IX_Orders_Code", table: "Orders", column: "Code");
        """)),
            ("20240102000000_Rename.cs", Migration("20240102000000_Rename", """
                migrationBuilder.RenameTable(name: "Orders", newName: "Purchases");
        """)),
            ("20240103000000_Cleanup.cs", Migration("20240103000000_Cleanup", """
                {|SM0002:migrationBuilder.DropIndex(name: "IX_Orders_Code", table: "Purchases")|};
        """)));
    }

    [Fact]
    public async Task Dropping_an_unknown_index_is_flagged_when_the_history_is_unsure()
    {
        await VerifyAsync<DropIndexNonConcurrentlyAnalyzer>(
            // A baseline over a database made another way: no CreateTable in the first migration.
            ("20240101000000_Baseline.cs", Migration("20240101000000_Baseline", "")),
            ("20240102000000_Cleanup.cs", Migration("20240102000000_Cleanup", """
                migrationBuilder.Sql({|SM0002:"DROP INDEX IF EXISTS ix_made_by_hand;"|});
        """)));

        await VerifyAsync<DropIndexNonConcurrentlyAnalyzer>(
            ("20240101000000_Initial.cs", Migration("20240101000000_Initial", CreateOrders + """

                migrationBuilder.Sql("DO $body$ BEGIN EXECUTE 'CREATE INDEX ix_dynamic ON \"Orders\" (\"Code\")'; END $body$;");
        """)),
            ("20240102000000_Cleanup.cs", Migration("20240102000000_Cleanup", """
                migrationBuilder.Sql({|SM0002:"DROP INDEX IF EXISTS ix_dynamic;"|});
        """)));
    }
}
