using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Shop.Migrations
{
    /// <summary>Safe adds: nullable columns, and a NOT NULL column with a constant default (no rewrite since PostgreSQL 11).</summary>
    [DbContext(typeof(ShopContext))]
    [Migration("20250108090000_AddProductDetails")]
    public partial class AddProductDetails : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "Description", table: "Products", type: "text", nullable: true);
            migrationBuilder.AddColumn<string>(name: "Sku", table: "Products", type: "text", nullable: true);
            migrationBuilder.AddColumn<string>(name: "Status", table: "Products", type: "text", nullable: false, defaultValue: "active");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "Status", table: "Products");
            migrationBuilder.DropColumn(name: "Sku", table: "Products");
            migrationBuilder.DropColumn(name: "Description", table: "Products");
        }
    }
}
