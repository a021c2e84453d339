using System.Threading;
using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.AlterColumnTypeRewritesTableFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0007AlterColumnTypeRewritesTableFixerTests
{
    [Fact]
    public Task Int_to_bigint_goes_through_a_new_column_and_down_is_rewritten_the_same_way() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        {|SM0007:migrationBuilder.AlterColumn<long>(
                            name: "Quantity",
                            table: "OrderLines",
                            type: "bigint",
                            nullable: false,
                            oldClrType: typeof(int),
                            oldType: "integer")|};
            """", down: """"
                        migrationBuilder.AlterColumn<int>(
                            name: "Quantity",
                            table: "OrderLines",
                            type: "integer",
                            nullable: false,
                            oldClrType: typeof(long),
                            oldType: "bigint");
            """"),
            Migration(up: """"
                        // Expand: a new column of the new type, kept up to date from the old one by a trigger on every write.
                        migrationBuilder.AddColumn<long>(
                            name: "Quantity_new",
                            table: "OrderLines",
                            type: "bigint",
                            nullable: true);
                        migrationBuilder.CreateSyncTrigger(table: "OrderLines", fromColumn: "Quantity", toColumn: "Quantity_new", convertSql: @"NEW.""Quantity""::bigint");
                        // Backfill: existing rows get the converted value, in batches.
                        migrationBuilder.Backfill(table: "OrderLines", set: @"""Quantity_new"" = ""Quantity""::bigint", where: @"""Quantity_new"" IS NULL AND ""Quantity"" IS NOT NULL");
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "Quantity_new", table: "OrderLines");
                        // Expand: swap the columns in one short transaction; the old one, renamed "Quantity_old", stays in sync for the running version.
                        migrationBuilder.SwapColumns(table: "OrderLines", column: "Quantity", replacementColumn: "Quantity_new");
                        // Contract: once no running version reads the old column, drop its sync trigger and the column.
                        migrationBuilder.DropSyncTrigger(table: "OrderLines", fromColumn: "Quantity", toColumn: "Quantity_old").InContractPhase();
                        migrationBuilder.DropColumn(
                            name: "Quantity_old",
                            table: "OrderLines")
                            .InContractPhase();
            """", down: """"
                        // Expand: a new column of the new type, kept up to date from the old one by a trigger on every write.
                        migrationBuilder.AddColumn<int>(
                            name: "Quantity_new",
                            table: "OrderLines",
                            type: "integer",
                            nullable: true);
                        migrationBuilder.CreateSyncTrigger(table: "OrderLines", fromColumn: "Quantity", toColumn: "Quantity_new", convertSql: @"NEW.""Quantity""::integer");
                        // Backfill: existing rows get the converted value, in batches.
                        migrationBuilder.Backfill(table: "OrderLines", set: @"""Quantity_new"" = ""Quantity""::integer", where: @"""Quantity_new"" IS NULL AND ""Quantity"" IS NOT NULL");
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "Quantity_new", table: "OrderLines");
                        // Expand: swap the columns in one short transaction; the old one, renamed "Quantity_old", stays in sync for the running version.
                        migrationBuilder.SwapColumns(table: "OrderLines", column: "Quantity", replacementColumn: "Quantity_new");
                        // Contract: once no running version reads the old column, drop its sync trigger and the column.
                        migrationBuilder.DropSyncTrigger(table: "OrderLines", fromColumn: "Quantity", toColumn: "Quantity_old").InContractPhase();
                        migrationBuilder.DropColumn(
                            name: "Quantity_old",
                            table: "OrderLines")
                            .InContractPhase();
            """"));

    [Fact]
    public Task Nullable_column_with_a_default_keeps_precision_and_default_on_the_new_column() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        {|SM0007:migrationBuilder.AlterColumn<decimal>(
                            name: "Price",
                            table: "Products",
                            schema: "shop",
                            type: "numeric(12,4)",
                            precision: 12,
                            scale: 4,
                            nullable: true,
                            defaultValue: 0m,
                            oldClrType: typeof(decimal),
                            oldType: "numeric(12,2)",
                            oldPrecision: 12,
                            oldScale: 2,
                            oldNullable: true)|};
            """"),
            Migration(up: """"
                        // Expand: a new column of the new type, kept up to date from the old one by a trigger on every write.
                        migrationBuilder.AddColumn<decimal>(
                            name: "Price_new",
                            table: "Products",
                            schema: "shop",
                            type: "numeric(12,4)",
                            precision: 12,
                            scale: 4,
                            nullable: true);
                        migrationBuilder.CreateSyncTrigger(table: "Products", fromColumn: "Price", toColumn: "Price_new", convertSql: @"NEW.""Price""::numeric(12,4)", schema: "shop");
                        migrationBuilder.AlterColumn<decimal>(
                            name: "Price_new",
                            table: "Products",
                            schema: "shop",
                            type: "numeric(12,4)",
                            precision: 12,
                            scale: 4,
                            nullable: true,
                            defaultValue: 0m,
                            oldType: "numeric(12,4)",
                            oldPrecision: 12,
                            oldScale: 4,
                            oldNullable: true);
                        // Backfill: existing rows get the converted value, in batches.
                        migrationBuilder.Backfill(table: "Products", set: @"""Price_new"" = ""Price""::numeric(12,4)", where: @"""Price_new"" IS NULL AND ""Price"" IS NOT NULL", schema: "shop");
                        // Expand: swap the columns in one short transaction; the old one, renamed "Price_old", stays in sync for the running version.
                        migrationBuilder.SwapColumns(table: "Products", column: "Price", replacementColumn: "Price_new", schema: "shop");
                        // Contract: once no running version reads the old column, drop its sync trigger and the column.
                        migrationBuilder.DropSyncTrigger(table: "Products", fromColumn: "Price", toColumn: "Price_old", schema: "shop").InContractPhase();
                        migrationBuilder.DropColumn(
                            name: "Price_old",
                            table: "Products",
                            schema: "shop")
                            .InContractPhase();
            """"));

    [Fact]
    public Task Raw_type_change_with_using_and_its_raw_reverse_in_down() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0007:"ALTER TABLE orders ALTER COLUMN code TYPE integer USING code::integer, ALTER COLUMN note SET DEFAULT '';"|});
            """", down: """"
                        migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN code TYPE varchar(10);");
            """"),
            Migration(up: """"
                        // Expand: a new column of the new type, kept up to date from the old one by a trigger on every write.
                        migrationBuilder.Sql(@"ALTER TABLE orders ADD COLUMN ""code_new"" integer;");
                        migrationBuilder.CreateSyncTrigger(table: "orders", fromColumn: "code", toColumn: "code_new", convertSql: "(SELECT code::integer FROM (SELECT NEW.*) AS new_row)");
                        // Backfill: existing rows get the converted value, in batches.
                        migrationBuilder.Backfill(table: "orders", set: @"""code_new"" = code::integer", where: @"""code_new"" IS NULL AND ""code"" IS NOT NULL");
                        // Verify: if "code" is NOT NULL, uncomment (the new column must be too before the swap):
                        // migrationBuilder.SetNotNullThroughCheck(column: "code_new", table: "orders");
                        // Expand: swap the columns in one short transaction; the old one, renamed "code_old", stays in sync for the running version.
                        migrationBuilder.SwapColumns(table: "orders", column: "code", replacementColumn: "code_new");
                        // Contract: once no running version reads the old column, drop its sync trigger and the column.
                        migrationBuilder.DropSyncTrigger(table: "orders", fromColumn: "code", toColumn: "code_old").InContractPhase();
                        migrationBuilder.DropColumn(
                            name: "code_old",
                            table: "orders")
                            .InContractPhase();
                        migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN note SET DEFAULT '';");
            """", down: """"
                        // Expand: a new column of the new type, kept up to date from the old one by a trigger on every write.
                        migrationBuilder.Sql(@"ALTER TABLE orders ADD COLUMN ""code_new"" varchar(10);");
                        migrationBuilder.CreateSyncTrigger(table: "orders", fromColumn: "code", toColumn: "code_new", convertSql: @"NEW.""code""::varchar(10)");
                        // Backfill: existing rows get the converted value, in batches.
                        migrationBuilder.Backfill(table: "orders", set: @"""code_new"" = ""code""::varchar(10)", where: @"""code_new"" IS NULL AND ""code"" IS NOT NULL");
                        // Verify: if "code" is NOT NULL, uncomment (the new column must be too before the swap):
                        // migrationBuilder.SetNotNullThroughCheck(column: "code_new", table: "orders");
                        // Expand: swap the columns in one short transaction; the old one, renamed "code_old", stays in sync for the running version.
                        migrationBuilder.SwapColumns(table: "orders", column: "code", replacementColumn: "code_new");
                        // Contract: once no running version reads the old column, drop its sync trigger and the column.
                        migrationBuilder.DropSyncTrigger(table: "orders", fromColumn: "code", toColumn: "code_old").InContractPhase();
                        migrationBuilder.DropColumn(
                            name: "code_old",
                            table: "orders")
                            .InContractPhase();
            """"));

    /// <summary>A Designer file whose target model maps OrderLines.Quantity as a required bigint.</summary>
    private const string OrderLinesDesigner = """"
        // <auto-generated />
        using Microsoft.EntityFrameworkCore;
        using Microsoft.EntityFrameworkCore.Infrastructure;
        using Microsoft.EntityFrameworkCore.Migrations;

        #nullable disable

        namespace App.Migrations
        {
            partial class AddIndexes
            {
                protected override void BuildTargetModel(ModelBuilder modelBuilder)
                {
                    modelBuilder.Entity("App.OrderLine", b =>
                        {
                            b.Property<long>("Quantity")
                                .HasColumnType("bigint");

                            b.ToTable("OrderLines");
                        });
                }
            }
        }
        """";

    [Fact]
    public async Task Raw_type_change_reads_NOT_NULL_from_the_target_model()
    {
        var test = new Verify.Test
        {
            TestState =
            {
                Sources =
                {
                    Migration(up: """"
                        migrationBuilder.Sql({|SM0007:@"ALTER TABLE ""OrderLines"" ALTER COLUMN ""Quantity"" TYPE bigint;"|});
            """"),
                    OrderLinesDesigner,
                },
            },
        };
        test.FixedState.Sources.Add(Migration(up: """"
                        // Expand: a new column of the new type, kept up to date from the old one by a trigger on every write.
                        migrationBuilder.Sql(@"ALTER TABLE ""OrderLines"" ADD COLUMN ""Quantity_new"" bigint;");
                        migrationBuilder.CreateSyncTrigger(table: "OrderLines", fromColumn: "Quantity", toColumn: "Quantity_new", convertSql: @"NEW.""Quantity""::bigint");
                        // Backfill: existing rows get the converted value, in batches.
                        migrationBuilder.Backfill(table: "OrderLines", set: @"""Quantity_new"" = ""Quantity""::bigint", where: @"""Quantity_new"" IS NULL AND ""Quantity"" IS NOT NULL");
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "Quantity_new", table: "OrderLines");
                        // Expand: swap the columns in one short transaction; the old one, renamed "Quantity_old", stays in sync for the running version.
                        migrationBuilder.SwapColumns(table: "OrderLines", column: "Quantity", replacementColumn: "Quantity_new");
                        // Contract: once no running version reads the old column, drop its sync trigger and the column.
                        migrationBuilder.DropSyncTrigger(table: "OrderLines", fromColumn: "Quantity", toColumn: "Quantity_old").InContractPhase();
                        migrationBuilder.DropColumn(
                            name: "Quantity_old",
                            table: "OrderLines")
                            .InContractPhase();
            """"));
        test.FixedState.Sources.Add(OrderLinesDesigner);
        await test.RunAsync(CancellationToken.None);
    }
}
