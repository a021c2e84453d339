// expect: SM0009
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

#nullable disable

namespace Shop.Migrations
{
    [DbContext(typeof(ShopContext))]
    [Migration("20250000100012_CheckNotValidAndValidateInOneTransaction")]
    public partial class CheckNotValidAndValidateInOneTransaction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT ck_orders_qty CHECK (quantity > 0) NOT VALID;");
            migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_qty;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            
        }
    }
}
