// expect: none
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

#nullable disable

namespace Shop.Migrations
{
    [DbContext(typeof(ShopContext))]
    [Migration("20250000100021_SetNotNullThroughValidatedCheck")]
    public partial class SetNotNullThroughValidatedCheck : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(@"ALTER TABLE ""Orders"" VALIDATE CONSTRAINT ""CK_Orders_Status_NotNull"";");
            migrationBuilder.Sql(@"ALTER TABLE ""Orders"" ALTER COLUMN ""Status"" SET NOT NULL;");
            migrationBuilder.Sql(@"ALTER TABLE ""Orders"" DROP CONSTRAINT ""CK_Orders_Status_NotNull"";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            
        }
    }
}
