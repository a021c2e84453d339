// expect: none
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

#nullable disable

namespace Shop.Migrations
{
    [DbContext(typeof(ShopContext))]
    [Migration("20250000100051_SeedAndFixData")]
    public partial class SeedAndFixData : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.InsertData(
                table: "Countries",
                columns: new[] { "Code", "Name" },
                values: new object[,]
                {
                    { "DE", "Germany" },
                    { "FR", "France" }
                });

            migrationBuilder.UpdateData(
                table: "Countries",
                keyColumn: "Code",
                keyValue: "DE",
                column: "Name",
                value: "Deutschland");

            migrationBuilder.Sql("UPDATE settings SET value = 'v2' WHERE id = 1;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DeleteData(
                table: "Countries",
                keyColumn: "Code",
                keyValue: "FR");
        }
    }
}
