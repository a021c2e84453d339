using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;

namespace Shop.Migrations
{
    /// <summary>NOT NULL on a populated column: backfill in batches, then SET NOT NULL through a validated check; a unique index built concurrently.</summary>
    [DbContext(typeof(ShopContext))]
    [Migration("20250212090000_RequireProductSku")]
    public partial class RequireProductSku : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Backfill(table: "Products", column: "Sku", value: "'SKU-' || \"Id\"", where: "\"Sku\" IS NULL", batchSize: 1000);
            migrationBuilder.SetNotNullThroughCheck(column: "Sku", table: "Products");
            migrationBuilder.CreateIndexConcurrently(name: "IX_Products_Sku", table: "Products", columns: new[] { "Sku" }, unique: true);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndexConcurrently(name: "IX_Products_Sku", table: "Products");
            migrationBuilder.AlterColumn<string>(name: "Sku", table: "Products", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
        }
    }
}
