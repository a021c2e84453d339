using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;

namespace Shop.Migrations
{
    /// <summary>
    /// integer → bigint without a rewrite under ACCESS EXCLUSIVE: a bigint column synced by a trigger, backfilled,
    /// NOT NULL through a check, then swapped in one short transaction. Contract drops the old column.
    /// </summary>
    [DbContext(typeof(ShopContext))]
    [Migration("20250129090000_WidenOrderLineQuantity")]
    public partial class WidenOrderLineQuantity : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(name: "QuantityWide", table: "OrderLines", type: "bigint", nullable: true);
            migrationBuilder.CreateSyncTrigger(table: "OrderLines", fromColumn: "Quantity", toColumn: "QuantityWide");
            migrationBuilder.Backfill(table: "OrderLines", column: "QuantityWide", value: "\"Quantity\"", where: "\"QuantityWide\" IS NULL", batchSize: 1000);
            migrationBuilder.SetNotNullThroughCheck(column: "QuantityWide", table: "OrderLines");
            migrationBuilder.SwapColumns(table: "OrderLines", column: "Quantity", replacementColumn: "QuantityWide", reverseConvertSql: "NEW.\"Quantity\"::integer");

            migrationBuilder.DropSyncTrigger(table: "OrderLines", fromColumn: "Quantity", toColumn: "Quantity_old").InContractPhase();
            migrationBuilder.DropColumn(name: "Quantity_old", table: "OrderLines").InContractPhase();
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
